// Sorting, marker/offset/limit paging and filters the way Cinder's DB layer applies them to list calls
// (cinder/db/api.py: process_sort_params, _generate_paginate_query; cinder/common/sqlalchemyutils.py).
import { ApiFault } from "../core/faults";

export interface ListOptions {
  /** Sort keys in Cinder's column names (e.g. "created_at", "attach_status"); default created_at. */
  sortKeys?: string[];
  /** One direction per key ("asc" | "desc"); missing ones take the first given, else "desc". */
  sortDirs?: string[];
  /** Id of the last item of the previous page. */
  marker?: string;
  limit?: number;
  offset?: number;
}

/** Cinder's osapi_max_limit default. */
export const MAX_LIMIT = 1000;

type Columns<T> = Record<string, (item: T) => string | number | boolean | null>;

/**
 * Sorts `items` by the requested keys plus Cinder's tie-breakers (created_at, id), then applies the marker,
 * offset and limit. `findMarker` raises the resource's 404 when the marker does not exist (Cinder looks the
 * marker row up before paging).
 */
export function paginate<T extends { id: string }>(
  items: T[],
  columns: Columns<T>,
  options: ListOptions,
  findMarker: (id: string) => T,
): T[] {
  const keys = [...(options.sortKeys?.length ? options.sortKeys : ["created_at"])];
  const dirs = [...(options.sortDirs ?? [])];
  for (const dir of dirs) {
    if (dir !== "asc" && dir !== "desc")
      throw new ApiFault(400, "Invalid input received: Unknown sort direction, must be 'desc' or 'asc'.");
  }
  if (dirs.length > keys.length)
    throw new ApiFault(400, "Invalid input received: Sort direction array size exceeds sort key array size.");
  const defaultDir = dirs[0] ?? "desc";
  for (const tieBreaker of ["created_at", "id"]) {
    if (!keys.includes(tieBreaker)) keys.push(tieBreaker);
  }
  while (dirs.length < keys.length) dirs.push(defaultDir);
  for (const key of keys) {
    if (!(key in columns)) throw new ApiFault(400, "Invalid input received: Invalid sort key");
  }

  const compare = (a: T, b: T): number => {
    for (let i = 0; i < keys.length; i++) {
      const va = columns[keys[i]](a);
      const vb = columns[keys[i]](b);
      if (va === vb) continue;
      // SQL sorts NULL first in ascending order (PostgreSQL puts them last; MySQL, Cinder's usual DB, first).
      const order = va === null ? -1 : vb === null ? 1 : va < vb ? -1 : 1;
      return dirs[i] === "asc" ? order : -order;
    }
    return 0;
  };

  let sorted = [...items].sort(compare);
  if (options.marker !== undefined) {
    const marker = findMarker(options.marker);
    sorted = sorted.filter((item) => compare(item, marker) > 0);
  }
  const offset = options.offset ?? 0;
  const limit = Math.min(options.limit ?? MAX_LIMIT, MAX_LIMIT);
  return sorted.slice(offset, offset + limit);
}

/** Microsecond ISO time without a zone, as Cinder serializes its naive UTC datetimes. */
export function cinderTime(date: Date | null): string | null {
  if (!date) return null;
  return date
    .toISOString()
    .replace("Z", "000")
    .replace(/(\.\d{6})\d*$/, "$1");
}
