// Recording a voice note with MediaRecorder: Opus in WebM (Chromium) or Ogg
// (Firefox), the microphone's track stopped as soon as recording ends. The
// duration is measured here (a MediaRecorder WebM file carries none).
import { useEffect, useRef, useState } from 'react';

export interface VoiceNote {
  bytes: Uint8Array;
  mime: string;
  durationMs: number;
}

const OPUS_TYPES = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus'];

export type RecorderState = { phase: 'idle' } | { phase: 'recording'; startedAt: number } | { phase: 'error'; message: string };

export function useVoiceRecorder(onRecorded: (note: VoiceNote) => void) {
  const [state, setState] = useState<RecorderState>({ phase: 'idle' });
  const recorder = useRef<{ media: MediaRecorder; stream: MediaStream; keep: boolean; startedAt: number } | null>(null);
  const onRecordedRef = useRef(onRecorded);
  onRecordedRef.current = onRecorded;

  useEffect(() => () => finish(false), []);

  async function start() {
    const mimeType = OPUS_TYPES.find((type) => typeof MediaRecorder !== 'undefined' && MediaRecorder.isTypeSupported(type));
    if (!mimeType) {
      setState({ phase: 'error', message: 'This device cannot record voice messages' });
      return;
    }
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      setState({ phase: 'error', message: 'The microphone is not available' });
      return;
    }
    const media = new MediaRecorder(stream, { mimeType });
    const chunks: Blob[] = [];
    const startedAt = Date.now();
    const current = { media, stream, keep: false, startedAt };
    recorder.current = current;
    media.ondataavailable = (event) => chunks.push(event.data);
    media.onstop = () => {
      stream.getTracks().forEach((track) => track.stop());
      if (!current.keep) return;
      const durationMs = Date.now() - current.startedAt;
      void new Blob(chunks, { type: mimeType })
        .arrayBuffer()
        .then((buffer) => onRecordedRef.current({ bytes: new Uint8Array(buffer), mime: mimeType.split(';')[0]!, durationMs }));
    };
    media.start();
    setState({ phase: 'recording', startedAt });
  }

  /** Ends the recording: sent when `keep`, thrown away otherwise. */
  function finish(keep: boolean) {
    const current = recorder.current;
    recorder.current = null;
    if (current && current.media.state !== 'inactive') {
      current.keep = keep;
      current.media.stop();
    }
    setState({ phase: 'idle' });
  }

  return { state, start, stop: () => finish(true), cancel: () => finish(false) };
}
