// The IPC channels between main and the preload (the only ones: everything else goes over the
// engine's MessagePort).
export const IPC = {
  /** preload → main: this page wants a port to the engine (sent when the page starts). */
  connect: 'cairn:connect',
  /** main → preload: a port to the engine, in the message's ports. */
  port: 'cairn:port',
  /** main → preload: an `engine` event (stopped, ready, failed) as a WireEvent. */
  engine: 'cairn:engine',
  /** preload → main (invoke): a `desktop.*` WireRequest, answered with its WireResponse. */
  desktop: 'cairn:desktop',
  /** The methods main answers (DESKTOP_METHOD_PREFIX in app/contract/api.ts). */
  desktopMethodPrefix: 'desktop.',
} as const;
