// What every output format implements: reports arrive one by one, in export order, then the summary.
import { redact } from "../../../provider/openstack";
import { ResourceReport } from "../check";
import { PropertyChange } from "../compare";
import { Summary } from "../summary";

export interface Reporter {
  add(report: ResourceReport): void;
  finish(summary: Summary): void | Promise<void>;
}

export const STATUS_LABEL: Record<ResourceReport["status"], string> = {
  "in-sync": "in sync",
  changed: "changed",
  gone: "gone",
  error: "error",
};

/** A value for people: JSON, clipped to `max` characters; null means absent. Redacted, as everything shown. */
export function showValue(value: unknown, max = 200): string {
  if (value === null || value === undefined) return "(absent)";
  const text = redact(JSON.stringify(value));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** "attachedDevice: "/dev/vdb" → "/dev/vdc"", or "connectionInfo: changed (secret, values hidden)". */
export function describeChange(change: PropertyChange): string {
  if (change.secret) return `${change.property}: changed (secret, values hidden)`;
  return `${change.property}: ${showValue(change.recorded)} → ${showValue(change.live)}`;
}

/** Every finding of a report as lines of text (changes, not visible, not compared, notes, error). */
export function describeReport(report: ResourceReport): string[] {
  const lines = report.changes.map(describeChange);
  if (report.status === "gone") lines.push(`${report.kind} ${report.id} no longer exists`);
  if (report.error) lines.push(report.error);
  for (const { property, visibleIn } of report.notVisible) {
    lines.push(
      visibleIn === "recorded"
        ? `${property}: not visible to the reading credential (admin-only), not compared`
        : `${property}: was not visible when recorded (admin-only), not compared`,
    );
  }
  for (const { property, reason } of report.notCompared) lines.push(`${property}: not compared: ${reason}`);
  for (const note of report.notes) lines.push(`note: ${note}`);
  return lines;
}
