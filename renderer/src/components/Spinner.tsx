// A small busy mark for a button or a line; its label says what is busy.
export function Spinner({ label, size = 14 }: { label?: string; size?: number }) {
  return <span className="c-spinner" style={{ width: size, height: size }} role={label ? 'status' : undefined} aria-label={label} aria-hidden={label ? undefined : true} />;
}

/** A key or key combination as shown in menus and tooltips. */
export function Kbd({ children }: { children: string }) {
  return <kbd className="c-kbd">{children}</kbd>;
}
