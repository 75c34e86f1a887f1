/** A fieldset of radio buttons with a legend: one choice among a few. */
export function RadioGroup<T extends string>({
  legend,
  name,
  choices,
  value,
  onChange,
  className = 'settings__section',
  autoFocusChecked = false,
}: {
  legend: string;
  name: string;
  choices: ReadonlyArray<{ value: T; label: string }>;
  value: T;
  onChange: (value: T) => void;
  className?: string;
  /** Marks the checked radio for the dialog's first focus. */
  autoFocusChecked?: boolean;
}) {
  return (
    <fieldset className={className}>
      <legend className="settings__heading">{legend}</legend>
      {choices.map((choice) => (
        <label key={choice.value} className="settings__choice">
          <input
            type="radio"
            name={name}
            value={choice.value}
            checked={value === choice.value}
            onChange={() => onChange(choice.value)}
            data-autofocus={(autoFocusChecked && value === choice.value) || undefined}
          />
          {choice.label}
        </label>
      ))}
    </fieldset>
  );
}
