import { useId, type InputHTMLAttributes } from 'react';

interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  /** The visible label, which is also the field's accessible name. */
  label: string;
  /** A line of help under the field, read after the name. */
  hint?: string;
}

export function TextField({ label, hint, className, ...input }: TextFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className={className ? `text-field ${className}` : 'text-field'}>
      <label className="text-field__label" htmlFor={id}>
        {label}
      </label>
      <input id={id} className="text-field__input" aria-describedby={hint ? hintId : undefined} {...input} />
      {hint && (
        <p className="text-field__hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
}
