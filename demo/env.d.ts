/** The bundled sample's trace files (N.csv.gz), in natural order: set by vite.config.js from data/bitbrains-sample. */
declare const __SAMPLE_FILES__: string[];
