// A part of the window that throws while rendering shows what went wrong and a way on, never a
// white page. The message is the error's own (engine errors are written for people).
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** Renders the failure; `reset` tries again. */
  fallback: (error: Error, reset: () => void) => ReactNode;
  children: ReactNode;
  /** Resets when this changes (e.g. the view), so moving on clears the failure. */
  resetKey?: unknown;
}

export class ErrorBoundary extends Component<Props, { error: Error | null; key: unknown }> {
  override state: { error: Error | null; key: unknown } = { error: null, key: undefined };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  static getDerivedStateFromProps(props: Props, state: { error: Error | null; key: unknown }) {
    return props.resetKey !== state.key ? { error: null, key: props.resetKey } : null;
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.warn('cairn: a part of the window failed', error, info.componentStack);
  }

  override render() {
    if (this.state.error) return this.props.fallback(this.state.error, () => this.setState({ error: null }));
    return this.props.children;
  }
}
