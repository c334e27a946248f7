// Form fields: text, search, multi-line, choices. A visible label where there is room; where
// there is none (a search box), `aria-label` names it.
import { forwardRef, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import { Search } from 'lucide-react';

export const TextInput = forwardRef<HTMLInputElement, InputHTMLAttributes<HTMLInputElement>>(function TextInput({ className, ...rest }, ref) {
  return <input ref={ref} className={`c-input${className ? ` ${className}` : ''}`} {...rest} />;
});

export const SearchInput = forwardRef<HTMLInputElement, InputHTMLAttributes<HTMLInputElement>>(function SearchInput({ className, ...rest }, ref) {
  return (
    <div className={`c-search${className ? ` ${className}` : ''}`}>
      <Search className="c-search__icon" size={15} aria-hidden="true" />
      <input ref={ref} type="search" className="c-input c-search__input" {...rest} />
    </div>
  );
});

export const TextArea = forwardRef<HTMLTextAreaElement, TextareaHTMLAttributes<HTMLTextAreaElement>>(function TextArea({ className, ...rest }, ref) {
  return <textarea ref={ref} className={`c-input c-textarea${className ? ` ${className}` : ''}`} {...rest} />;
});

export function Select({ className, children, ...rest }: SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <select className={`c-input c-select${className ? ` ${className}` : ''}`} {...rest}>
      {children}
    </select>
  );
}

/** A labelled row: label, control, and a line of help or an error under it. */
export function Field({ label, htmlFor, help, error, children }: { label: string; htmlFor: string; help?: ReactNode; error?: string | null; children: ReactNode }) {
  return (
    <div className="c-field">
      <label className="c-field__label" htmlFor={htmlFor}>
        {label}
      </label>
      {children}
      {error ? (
        <p className="c-field__error" role="alert">
          {error}
        </p>
      ) : help ? (
        <p className="c-field__help">{help}</p>
      ) : null}
    </div>
  );
}
