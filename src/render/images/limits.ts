/** What a lesson's images may weigh: checked when a job or lesson is submitted, before anything is stored. */
export const IMAGE_LIMITS = Object.freeze({
  /** Decoded bytes of one image (a data URL or an asset). */
  maxImageBytes: 5 * 1024 * 1024,
  /** Decoded bytes of all of a lesson's images together (an asset used twice counts once). */
  maxTotalBytes: 10 * 1024 * 1024,
  /** Width × height a raster image's header may declare: larger ones are refused before decoding. */
  maxPixels: 16_000_000,
  /** Assets sent with one lesson. */
  maxAssets: 50,
  maxAltChars: 300,
});
