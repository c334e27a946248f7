// Model downloads as the Models view shows them: the activity job of a file (bytes, speed, time
// left, from model-download events), whether the engine says it is pulling it, and starting,
// cancelling and resuming, each through the contract.
import type { ModelInfo } from '../../../../app/contract/index.ts';
import { api } from '../../api/index.ts';
import { useActivity, type Job } from '../../state/activity.ts';
import { notifyError } from '../../state/notices.ts';
import { invalidate, useQuery } from '../../state/query.ts';

export interface Download {
  /** The activity job, while running or after it ended (failed, cancelled, done). */
  job: Job | null;
  running: boolean;
}

/** The download of a file now: running (by the engine's word or the events), or how the last one ended. */
export function useDownload(file: string): Download {
  const jobs = useActivity();
  const models = useQuery('models.list', {});
  const job = jobs.find((j) => j.id === `download:${file}`) ?? null;
  const running = job?.state === 'running' || (models.data?.pulling.includes(file) ?? false);
  return { job, running };
}

/** Starts or resumes a download (a catalog id or a .gguf URL); progress comes as events. */
export async function pull(model: string, failed: string): Promise<boolean> {
  try {
    await api.models.pull({ model });
    invalidate(['models.list']);
    return true;
  } catch (error) {
    notifyError(failed, error);
    return false;
  }
}

export function cancel(file: string, failed: string): void {
  api.models.cancelPull({ file }).then(
    () => invalidate(['models.list']),
    (error: unknown) => notifyError(failed, error),
  );
}

/** What pulling again resumes a partial file from: its catalog id, else the URL it came from. */
export function resumeTarget(model: ModelInfo): string | null {
  return model.catalogId ?? model.download?.url ?? null;
}
