// An on/off switch: a button with role "switch", so keyboards (Space, Enter) and screen readers
// treat it as one; its label is the visible text beside it (aria-labelledby) or `label`.
export function Switch({ checked, onChange, label, labelledBy, disabled }: { checked: boolean; onChange: (checked: boolean) => void; label?: string; labelledBy?: string; disabled?: boolean }) {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={checked}
      aria-label={label}
      aria-labelledby={labelledBy}
      disabled={disabled}
      className={`c-switch${checked ? ' c-switch--on' : ''}`}
      onClick={() => onChange(!checked)}
    >
      <span className="c-switch__thumb" aria-hidden="true" />
    </button>
  );
}
