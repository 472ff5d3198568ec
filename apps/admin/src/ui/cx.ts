/** Joins class names, skipping empty ones: the one place component classes are merged. */
export function cx(...parts: (string | false | null | undefined)[]): string {
  return parts.filter(Boolean).join(" ");
}
