// The parts of UTIF (a TIFF decoder without types of its own) that Cairn uses.
declare module 'utif' {
  interface IFD {
    t256?: number[];
    t257?: number[];
    width?: number;
    height?: number;
    data?: Uint8Array;
    [tag: string]: unknown;
  }
  const UTIF: {
    decode(buffer: ArrayBuffer): IFD[];
    decodeImage(buffer: ArrayBuffer, ifd: IFD): void;
    toRGBA8(ifd: IFD): Uint8Array;
  };
  export default UTIF;
}
