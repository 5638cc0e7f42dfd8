// The bundled trace sample, reachable from an installed package: `import { bitbrainsSample } from 'dynmem/sample'`.
// Node only (a file path); in a browser, serve the folder and give its URL instead.
import { fileURLToPath } from 'node:url';

/**
 * The folder of the bundled Bitbrains GWA-T-12 sample (the first 26 hours of the 100 VMs of "Rnd", July 2013), as a
 * file path for a fleet's `traces`.
 * @example
 * import { simulate } from 'dynmem';
 * import { bitbrainsSample } from 'dynmem/sample';
 * const { summary } = await simulate({ hosts: [{ memoryMB: 98304 }], fleets: [{ traces: bitbrainsSample }] });
 */
export const bitbrainsSample: string = fileURLToPath(new URL('../../data/bitbrains-sample/', import.meta.url));
