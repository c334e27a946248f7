// Stands in for `react-remove-scroll` (vite.config.ts aliases it here). Radix's modal dialogs and
// menus use it to stop the page behind them from scrolling, and it does so by injecting a <style>
// element, which the window's Content-Security-Policy (style-src 'self') refuses, with an error
// in the console. The window's page never scrolls (every pane scrolls inside itself, and the
// overlay covers them), so the lock has nothing to do: this renders the content as it is.
import { forwardRef, type ElementType, type ReactNode } from 'react';

interface Props {
  children?: ReactNode;
  as?: ElementType;
  className?: string;
  // The lock's options, accepted and ignored.
  enabled?: boolean;
  allowPinchZoom?: boolean;
  shards?: unknown[];
  removeScrollBar?: boolean;
  inert?: boolean;
  noIsolation?: boolean;
  forwardProps?: boolean;
  gapMode?: string;
  noRelative?: boolean;
}

export const RemoveScroll = forwardRef<HTMLElement, Props>(function RemoveScroll({ children, as: As = 'div', className, enabled: _e, allowPinchZoom: _a, shards: _s, removeScrollBar: _r, inert: _i, noIsolation: _n, forwardProps: _f, gapMode: _g, noRelative: _nr, ...rest }, ref) {
  return (
    <As ref={ref} className={className} {...rest}>
      {children}
    </As>
  );
});
