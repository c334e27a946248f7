// What a view shows when it has nothing yet: an icon, one line of what this place is for, one
// of what to do, and the action itself.
import type { ReactNode } from 'react';

export function EmptyState({ icon, title, children, actions }: { icon?: ReactNode; title: string; children?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="c-empty">
      {icon ? (
        <div className="c-empty__icon" aria-hidden="true">
          {icon}
        </div>
      ) : null}
      <h2 className="c-empty__title">{title}</h2>
      {children ? <div className="c-empty__text">{children}</div> : null}
      {actions ? <div className="c-empty__actions">{actions}</div> : null}
    </div>
  );
}
