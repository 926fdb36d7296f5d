/** The voices a presentation may ask for: eSpeak NG voice names that the bundled engine speaks. */
export const SUPPORTED_VOICES = [
  'en-us',
  'en',
  'en-gb',
  'en-gb-scotland',
  'en-gb-x-rp',
  'en-029',
  'de',
  'es',
  'es-419',
  'fr',
  'it',
  'nl',
  'pl',
  'pt',
  'pt-br',
  'sv',
] as const;
export type Voice = (typeof SUPPORTED_VOICES)[number];

export const DEFAULT_VOICE: Voice = 'en-us';

export function isSupportedVoice(voice: string): voice is Voice {
  return (SUPPORTED_VOICES as readonly string[]).includes(voice);
}
