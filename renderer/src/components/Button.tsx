// Buttons: one look for the whole window. `IconButton` has no text, so it requires a label,
// which becomes its accessible name and its tooltip.
import { forwardRef, type ButtonHTMLAttributes, type ReactNode } from 'react';
import { Tooltip } from './Tooltip.tsx';

export type ButtonVariant = 'primary' | 'secondary' | 'ghost' | 'danger';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  size?: 'sm' | 'md';
  icon?: ReactNode;
}

export const Button = forwardRef<HTMLButtonElement, ButtonProps>(function Button({ variant = 'secondary', size = 'md', icon, className, children, type = 'button', ...rest }, ref) {
  return (
    <button ref={ref} type={type} className={`c-button c-button--${variant} c-button--${size}${className ? ` ${className}` : ''}`} {...rest}>
      {icon ? <span className="c-button__icon" aria-hidden="true">{icon}</span> : null}
      {children}
    </button>
  );
});

export interface IconButtonProps extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'aria-label'> {
  label: string;
  icon: ReactNode;
  size?: 'sm' | 'md';
  /** Shown in the tooltip after the label, e.g. a shortcut. */
  hint?: string;
  tooltipSide?: 'top' | 'bottom' | 'left' | 'right';
}

export const IconButton = forwardRef<HTMLButtonElement, IconButtonProps>(function IconButton({ label, icon, size = 'md', hint, tooltipSide, className, type = 'button', ...rest }, ref) {
  return (
    <Tooltip content={hint ? `${label} (${hint})` : label} side={tooltipSide}>
      <button ref={ref} type={type} aria-label={label} className={`c-icon-button c-icon-button--${size}${className ? ` ${className}` : ''}`} {...rest}>
        <span aria-hidden="true">{icon}</span>
      </button>
    </Tooltip>
  );
});
