import type { ArchiveConfig } from '../../config/records';
import { directoryArchive } from './directory';
import type { IncidentArchive } from './record';
import { s3Archive } from './s3';

/** The archive the configuration names: the worker writes to it, the CLI and the API read from it. */
export function openArchive(config: ArchiveConfig): IncidentArchive {
  return config.kind === 's3' ? s3Archive(config) : directoryArchive(config.dir);
}
