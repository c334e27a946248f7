// Dialogs (Radix): focus moves in and is trapped, Escape closes, focus returns to the trigger.
// `ConfirmDialog` asks before something that cannot be undone; `PromptDialog` asks for one line.
import * as RadixDialog from '@radix-ui/react-dialog';
import { X } from 'lucide-react';
import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import { useT } from '../i18n/index.tsx';
import { Button, IconButton } from './Button.tsx';
import { TextInput } from './Field.tsx';

export function Dialog({ open, onOpenChange, title, description, children, footer, wide }: { open: boolean; onOpenChange: (open: boolean) => void; title: string; description?: ReactNode; children?: ReactNode; footer?: ReactNode; wide?: boolean }) {
  const { t } = useT();
  return (
    <RadixDialog.Root open={open} onOpenChange={onOpenChange}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="c-dialog__overlay" />
        <RadixDialog.Content className={`c-dialog${wide ? ' c-dialog--wide' : ''}`} {...(description ? {} : { 'aria-describedby': undefined })}>
          <div className="c-dialog__header">
            <RadixDialog.Title className="c-dialog__title">{title}</RadixDialog.Title>
            <RadixDialog.Close asChild>
              <IconButton label={t('common.close')} icon={<X size={16} />} size="sm" />
            </RadixDialog.Close>
          </div>
          {description ? <RadixDialog.Description className="c-dialog__description">{description}</RadixDialog.Description> : null}
          {children ? <div className="c-dialog__body">{children}</div> : null}
          {footer ? <div className="c-dialog__footer">{footer}</div> : null}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}

export function ConfirmDialog({ open, onOpenChange, title, description, confirmLabel, onConfirm, danger }: { open: boolean; onOpenChange: (open: boolean) => void; title: string; description: ReactNode; confirmLabel: string; onConfirm: () => void; danger?: boolean }) {
  const { t } = useT();
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={title}
      description={description}
      footer={
        <>
          <RadixDialog.Close asChild>
            <Button>{t('common.cancel')}</Button>
          </RadixDialog.Close>
          <Button
            variant={danger ? 'danger' : 'primary'}
            onClick={() => {
              onConfirm();
              onOpenChange(false);
            }}
          >
            {confirmLabel}
          </Button>
        </>
      }
    />
  );
}

export function PromptDialog({ open, onOpenChange, title, label, initial, submitLabel, onSubmit }: { open: boolean; onOpenChange: (open: boolean) => void; title: string; label: string; initial: string; submitLabel: string; onSubmit: (value: string) => void }) {
  const { t } = useT();
  const id = useId();
  const [value, setValue] = useState(initial);
  useEffect(() => {
    if (open) setValue(initial);
  }, [open, initial]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!value.trim()) return;
    onSubmit(value.trim());
    onOpenChange(false);
  };
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={title}>
      <form onSubmit={submit} className="c-prompt">
        <label htmlFor={id} className="c-field__label">
          {label}
        </label>
        <TextInput id={id} value={value} onChange={(e) => setValue(e.target.value)} autoFocus />
        <div className="c-dialog__footer">
          <RadixDialog.Close asChild>
            <Button>{t('common.cancel')}</Button>
          </RadixDialog.Close>
          <Button type="submit" variant="primary" disabled={!value.trim()}>
            {submitLabel}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
