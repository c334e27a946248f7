// This computer in a few words, in the user's language, for why a model is recommended or fits.
import type { HardwareReport } from '../../../../app/contract/index.ts';
import type { Translator } from '../../i18n/index.tsx';

export function machineText(tr: Translator, hw: HardwareReport): string {
  const { t } = tr;
  return hw.backend !== 'cpu' && hw.vramTotalBytes
    ? t('models.machineGpu', { backend: t(`models.backendName.${hw.backend}`), vram: tr.bytes(hw.vramTotalBytes), ram: tr.bytes(hw.ramTotalBytes) })
    : t('models.machineCpu', { ram: tr.bytes(hw.ramTotalBytes) });
}
