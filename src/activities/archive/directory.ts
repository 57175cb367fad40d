import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { archiveKey, type ArchivedIncident, type IncidentArchive } from './record';

/**
 * Closed incidents as JSON files, one per incident under the directory. Each write goes to a temporary file that
 * is renamed over the final name, so a reader never sees half a record, and writing again replaces it whole.
 */
export function directoryArchive(dir: string): IncidentArchive {
  return {
    location: dir,
    async put(record) {
      await mkdir(dir, { recursive: true });
      const target = path.join(dir, archiveKey(record.incident.id));
      const partial = `${target}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(partial, `${JSON.stringify(record, null, 2)}\n`, 'utf8');
      await rename(partial, target);
      return { destination: target };
    },
    async get(incidentId) {
      try {
        return JSON.parse(await readFile(path.join(dir, archiveKey(incidentId)), 'utf8')) as ArchivedIncident;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async list() {
      let names: string[];
      try {
        names = (await readdir(dir)).filter((name) => name.endsWith('.json'));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      const records = await Promise.all(
        names.map(async (name) => JSON.parse(await readFile(path.join(dir, name), 'utf8')) as ArchivedIncident),
      );
      return records;
    },
  };
}
