/** What a text-to-speech engine offers the render pipeline. */

export interface SpeechEngine {
  /** Names the engine and its version; part of the speech cache key, so a new engine redoes speech. */
  readonly id: string;
  /**
   * The engine's name for a job's voice (a provider's voice for an eSpeak voice); the voice itself
   * when absent. The speech cache is keyed by this name, so changing a mapping speaks anew.
   */
  voiceFor?(voice: string): string;
  /** Speaks `text` with `voice` and resolves with a PCM WAV file's bytes. Rejects with `signal.reason`. */
  synthesizeWav(text: string, voice: string, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
  /** Stops any helper thread or process; the engine starts a new one if used again. */
  close(): Promise<void>;
}
