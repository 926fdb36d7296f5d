/** The language of the captions, from the voice that speaks the narration. */

/** BCP 47 (WebVTT, the `<track srclang>`) and ISO 639-2/B (the MP4 track's language tag). */
export interface CaptionLanguage {
  readonly bcp47: string;
  readonly iso639: string;
}

const ISO_639_2: Readonly<Record<string, string>> = {
  en: 'eng',
  de: 'ger',
  es: 'spa',
  fr: 'fre',
  it: 'ita',
  nl: 'dut',
  pl: 'pol',
  pt: 'por',
  sv: 'swe',
};

export function captionLanguage(voice: string): CaptionLanguage {
  const [language = 'und', region] = voice.toLowerCase().split('-');
  const bcp47 =
    region && /^([a-z]{2}|\d{3})$/.test(region) ? `${language}-${region.toUpperCase()}` : language;
  return { bcp47, iso639: ISO_639_2[language] ?? 'und' };
}
