import {
  type ClipboardEvent,
  type FormEvent,
  type KeyboardEvent,
  type Ref,
  useEffect,
  useImperativeHandle,
  useLayoutEffect,
  useRef,
  useState,
} from 'react';
import type { ConversationSummary } from '../../../shared/api.ts';
import type { User } from '../../../shared/protocol/index.ts';
import { matchingMembers, type MentionQuery, mentionQueryAt } from '../../format/mentionQuery.ts';
import { memberName } from '../../store/selectors.ts';
import { useActions, useChat, useMessageWindow } from '../../store/useChat.ts';
import { IconButton } from '../common/IconButton.tsx';
import { MenuButton } from '../common/MenuButton.tsx';
import { EmojiPickerDialog } from '../emoji/EmojiPickerDialog.tsx';
import { availableActions } from './MessageActions.tsx';
import { type PreparedFile, prepareFile } from '../../files/prepareFile.ts';
import { useVoiceRecorder } from '../../files/useVoiceRecorder.ts';
import { AttachmentPreview } from './files/AttachmentPreview.tsx';
import { RecordingBar } from './files/RecordingBar.tsx';
import { MENTION_LIST_ID, MentionSuggestions, mentionOptionId } from './MentionSuggestions.tsx';
import { ReplyPreview } from './ReplyPreview.tsx';
import { useDraftAutosave } from './useDraftAutosave.ts';

/** Writing a message: Enter sends, Shift+Enter adds a line, the field grows
 * with its text (up to a few lines, see conversation.css), and the draft is
 * kept per conversation. Mounted per conversation, so it starts from that
 * conversation's saved draft. While a message is being edited the field
 * holds its text instead (the draft waits), and Enter saves the edit; Up in
 * an empty field edits the user's last message; Escape cancels a reply or
 * an edit. Files come through the `Attach` menu (`Photos and files`: photos
 * are downscaled, or `Document`: everything keeps its original bytes), a
 * paste or a drop (on the whole conversation pane, see ConversationPane) and
 * wait in a preview with a caption; a voice note is recorded in the
 * composer's place. */
export interface ComposerHandle {
  choose(files: readonly File[]): void;
}

export function Composer({ conversation, ref }: { conversation: ConversationSummary; ref?: Ref<ComposerHandle> }) {
  const conv = conversation.id;
  const [text, setText] = useState(conversation.draft);
  const replyTarget = useChat((state) => state.replyTarget);
  const editTarget = useChat((state) => (state.editTarget?.conv === conv ? state.editTarget : null));
  const me = useChat((state) => state.account?.user.id);
  const messages = useMessageWindow(conv);
  const actions = useActions();
  const inputRef = useRef<HTMLTextAreaElement>(null);
  // The draft set aside while editing, given back when the edit ends.
  const [draftWhileEditing, setDraftWhileEditing] = useState<string | null>(null);
  useDraftAutosave(conv, draftWhileEditing ?? text);

  // Editing starts with the message's text; ending it gives the draft back
  // (state adjusted while rendering, as React advises, not in an effect).
  const [editingCid, setEditingCid] = useState<string | null>(null);
  if ((editTarget?.cid ?? null) !== editingCid) {
    setEditingCid(editTarget?.cid ?? null);
    if (editTarget) {
      setDraftWhileEditing((saved) => saved ?? text);
      setText(editTarget.body);
    } else if (draftWhileEditing !== null) {
      setText(draftWhileEditing);
      setDraftWhileEditing(null);
    }
  }
  const fileInputRef = useRef<HTMLInputElement>(null);
  const documentInputRef = useRef<HTMLInputElement>(null);
  const [pickingEmoji, setPickingEmoji] = useState(false);

  /** Puts a picked emoji where the caret is (over any selection), and the caret after it. */
  function insertEmoji(emoji: string) {
    const input = inputRef.current;
    const start = input?.selectionStart ?? text.length;
    const end = input?.selectionEnd ?? text.length;
    setText(text.slice(0, start) + emoji + text.slice(end));
    pendingCaret.current = start + emoji.length;
    setPickingEmoji(false);
  }

  // Back to writing when the picker closes, whichever way: this effect runs
  // after the dialog's own cleanup has given focus back to its opener.
  const wasPickingEmoji = useRef(false);
  useEffect(() => {
    if (wasPickingEmoji.current && !pickingEmoji) inputRef.current?.focus();
    wasPickingEmoji.current = pickingEmoji;
  }, [pickingEmoji]);
  const [chosen, setChosen] = useState<readonly PreparedFile[] | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const recorder = useVoiceRecorder((note) => {
    const name = `Voice message ${new Date().toISOString().slice(0, 19).replace(/[T:]/g, '-')}.${note.mime === 'audio/ogg' ? 'ogg' : 'webm'}`;
    actions
      .sendFile(conv, { name, mime: note.mime, bytes: note.bytes, caption: '', durationMs: note.durationMs })
      .catch((error: unknown) => setFileError((error as Error).message));
  });

  /** `asDocument`: chosen through `Document`, sent as they are, photos too. */
  async function choose(files: readonly File[], asDocument = false) {
    if (files.length === 0) return;
    setFileError(null);
    try {
      setChosen(await Promise.all(files.map((file) => prepareFile(file, asDocument))));
    } catch (error) {
      setFileError((error as Error).message);
    }
  }

  // Files dropped anywhere on the conversation pane come here.
  useImperativeHandle(ref, () => ({ choose: (files) => void choose(files) }));

  async function sendChosen(caption: string) {
    const files = chosen ?? [];
    setChosen(null);
    try {
      // The caption goes with the first file, as WhatsApp does.
      for (const [index, file] of files.entries()) await actions.sendFile(conv, { ...file, caption: index === 0 ? caption : '' });
    } catch (error) {
      setFileError((error as Error).message);
    }
  }

  /** The `@name` being typed (groups only), and the suggestion marked. */
  const [mention, setMention] = useState<MentionQuery | null>(null);
  const [activeSuggestion, setActiveSuggestion] = useState(0);
  /** Where the caret goes once a chosen mention is in the field. */
  const pendingCaret = useRef<number | null>(null);
  const suggestions =
    mention && conversation.kind === 'group' ? matchingMembers(conversation.members, mention.prefix, me).slice(0, 8) : [];
  const active = suggestions[Math.min(activeSuggestion, suggestions.length - 1)];

  function followCaret(input: HTMLTextAreaElement) {
    const next = input.selectionStart === input.selectionEnd ? mentionQueryAt(input.value, input.selectionStart) : null;
    if (next?.start !== mention?.start || next?.prefix !== mention?.prefix) setActiveSuggestion(0);
    setMention(next);
  }

  /** Replaces the `@name` being typed with the member's username. */
  function chooseMention(member: User) {
    const input = inputRef.current;
    if (!mention || !input) return;
    const caret = input.selectionStart;
    const inserted = `@${member.username} `;
    const next = text.slice(0, mention.start) + inserted + text.slice(caret);
    setText(next);
    setMention(null);
    pendingCaret.current = mention.start + inserted.length;
  }

  // Ready to type, after any saved draft, when the conversation opens and
  // when a reply or an edit is chosen.
  useEffect(() => {
    const input = inputRef.current;
    if (!input) return;
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }, [replyTarget, editTarget?.cid]);

  useLayoutEffect(() => {
    const input = inputRef.current;
    if (!input) return;
    input.style.height = 'auto';
    input.style.height = `${input.scrollHeight}px`;
    if (pendingCaret.current !== null) {
      input.setSelectionRange(pendingCaret.current, pendingCaret.current);
      pendingCaret.current = null;
    }
  }, [text]);

  async function saveEdit() {
    const body = text.trim();
    if (!body) return;
    try {
      await actions.saveEdit(conv, body);
    } catch (error) {
      console.error('Duplex:', error);
    }
  }

  /** The user's newest message that can still be edited, if any. */
  function lastEditable() {
    for (let i = (messages?.size ?? 0) - 1; i >= 0; i--) {
      const message = messages!.at(i)!;
      if (message.mine && !message.deleted) return availableActions(message).edit ? message : null;
    }
    return null;
  }

  async function send() {
    if (editTarget) return saveEdit();
    const body = text.trim();
    if (!body) return;
    setText('');
    actions.saveDraft(conv, '');
    actions.setTyping(conv, false);
    try {
      await actions.send(conv, body);
    } catch (error) {
      // Not even queued: give the text back rather than lose it.
      setText((current) => current || body);
      console.error('Duplex:', error);
    }
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    void send();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (active && handleSuggestionKey(event)) return;
    // isComposing: Enter that confirms an IME composition is not a send.
    if (event.key === 'Enter' && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    } else if (event.key === 'Escape' && (replyTarget || editTarget)) {
      event.preventDefault();
      cancel();
    } else if (event.key === 'ArrowUp' && text === '' && !editTarget) {
      const last = lastEditable();
      if (!last) return;
      event.preventDefault();
      actions.setEditTarget(last);
    }
  }

  function cancel() {
    if (editTarget) actions.setEditTarget(null);
    else actions.setReplyTarget(null);
  }

  function onPaste(event: ClipboardEvent<HTMLTextAreaElement>) {
    const files = [...event.clipboardData.files];
    if (files.length === 0) return;
    event.preventDefault();
    void choose(files);
  }

  /** Arrows move through the suggestions, Enter or Tab takes one, Escape
   * closes them; says whether the key was theirs. */
  function handleSuggestionKey(event: KeyboardEvent<HTMLTextAreaElement>): boolean {
    const count = suggestions.length;
    const index = Math.min(activeSuggestion, count - 1);
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      setActiveSuggestion((index + (event.key === 'ArrowDown' ? 1 : count - 1)) % count);
    } else if ((event.key === 'Enter' || event.key === 'Tab') && !event.shiftKey && !event.nativeEvent.isComposing) {
      chooseMention(suggestions[index]!);
    } else if (event.key === 'Escape') {
      setMention(null);
    } else {
      return false;
    }
    event.preventDefault();
    return true;
  }

  const replyAuthor =
    replyTarget && (replyTarget.from === me ? 'yourself' : conversation.kind === 'group' ? memberName(conversation, replyTarget.from) : conversation.title);
  return (
    <div className="composer">
      {editTarget ? (
        <ReplyPreview heading="Editing message" body={editTarget.body} onCancel={cancel} />
      ) : (
        replyTarget &&
        replyAuthor && <ReplyPreview heading={`Replying to ${replyAuthor}`} body={replyTarget.body} onCancel={cancel} />
      )}
      {active && !chosen && recorder.state.phase !== 'recording' && <MentionSuggestions members={suggestions} active={suggestions.indexOf(active)} onChoose={chooseMention} />}
      {fileError && (
        <p role="alert" className="composer__error">
          {fileError}
        </p>
      )}
      {chosen ? (
        <AttachmentPreview files={chosen} onSend={(caption) => void sendChosen(caption)} onDiscard={() => setChosen(null)} />
      ) : recorder.state.phase === 'recording' ? (
        <RecordingBar startedAt={recorder.state.startedAt} onStop={recorder.stop} onCancel={recorder.cancel} />
      ) : (
      <form className="composer__form" onSubmit={onSubmit}>
        <IconButton label="Emoji" icon="emoji" onClick={() => setPickingEmoji(true)} />
        {!editTarget && (
          <MenuButton
            className="composer__attach"
            label="Attach"
            icon="attach"
            items={[
              { label: 'Photos and files', onSelect: () => fileInputRef.current?.click() },
              { label: 'Document', onSelect: () => documentInputRef.current?.click() },
            ]}
          />
        )}
        <FileInput ref={fileInputRef} label="Attach files" onChoose={(files) => void choose(files)} />
        <FileInput ref={documentInputRef} label="Attach documents" onChoose={(files) => void choose(files, true)} />
        <textarea
          ref={inputRef}
          className="composer__input"
          aria-label="Message"
          placeholder="Type a message"
          rows={1}
          value={text}
          aria-autocomplete="list"
          aria-controls={active ? MENTION_LIST_ID : undefined}
          aria-activedescendant={active ? mentionOptionId(active) : undefined}
          onChange={(event) => {
            setText(event.target.value);
            followCaret(event.target);
            if (!editTarget) actions.setTyping(conv, event.target.value.trim() !== '');
          }}
          onSelect={(event) => followCaret(event.currentTarget)}
          onBlur={() => setMention(null)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
        />
        {!editTarget && <IconButton label="Record voice message" icon="mic" onClick={() => void recorder.start()} />}
        <IconButton type="submit" className="composer__send" label="Send" icon="send" disabled={text.trim() === ''} />
      </form>
      )}
      {pickingEmoji && <EmojiPickerDialog title="Choose an emoji" onPick={insertEmoji} onClose={() => setPickingEmoji(false)} />}
      {recorder.state.phase === 'error' && (
        <p role="alert" className="composer__error">
          {recorder.state.message}
        </p>
      )}
    </div>
  );
}

/** A hidden file input, opened from the `Attach` menu (and by tests by its label). */
function FileInput({ ref, label, onChoose }: { ref: Ref<HTMLInputElement>; label: string; onChoose(files: File[]): void }) {
  return (
    <input
      ref={ref}
      type="file"
      multiple
      className="visually-hidden"
      aria-label={label}
      tabIndex={-1}
      onChange={(event) => {
        const files = [...(event.target.files ?? [])];
        event.target.value = '';
        onChoose(files);
      }}
    />
  );
}
