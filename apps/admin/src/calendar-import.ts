/** One day to enter, as the calendar page sends it. */
export interface DayEntry {
  date: string;
  workday: boolean;
  name?: string | null;
  note?: string | null;
}

/** A line that could not be read, with its number (1-based) and text. */
export interface ImportProblem {
  line: number;
  text: string;
}

const OFF = /^(放假|休|休息|假|off|holiday)$/i;
const WORK = /^(上班|班|调休上班|补班|work|workday)$/i;

/**
 * Reads a year's days pasted by an operator: either lines as the State Council's notice reads
 * once typed out (`2027-02-06 放假 春节`, `2027-02-13 上班`; a range `2027-02-06~2027-02-12 放假 春节`),
 * or a newer `chinese-days` data file (`{"holidays": {"2027-02-06": "Spring Festival,春节,4"},
 * "workdays": {"2027-02-13": "…"}}`). Pure, so that it is tested without a browser.
 */
export function parseCalendarImport(text: string): { days: DayEntry[]; problems: ImportProblem[] } {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) return parseChineseDaysJson(trimmed);
  const days: DayEntry[] = [];
  const problems: ImportProblem[] = [];
  trimmed.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    const [span = "", kind = "", ...rest] = line.split(/[\s,，]+/);
    const [from = "", to = from] = span.split(/~|～|至|\.\./);
    const workday = WORK.test(kind) ? true : OFF.test(kind) ? false : null;
    if (!isIsoDate(from) || !isIsoDate(to) || to < from || workday === null) {
      problems.push({ line: i + 1, text: line });
      return;
    }
    const name = workday ? null : rest.join(" ").slice(0, 20) || null;
    for (let d = from; d <= to; d = nextDay(d)) days.push({ date: d, workday, name });
  });
  return { days, problems };
}

/** A real `YYYY-MM-DD` date (kept here: the domain's calendar module brings the whole package's data into the bundle). */
function isIsoDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;
}

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function parseChineseDaysJson(text: string): { days: DayEntry[]; problems: ImportProblem[] } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { days: [], problems: [{ line: 1, text: text.slice(0, 60) }] };
  }
  const days: DayEntry[] = [];
  const problems: ImportProblem[] = [];
  const section = (key: string) => {
    const v = (data as Record<string, unknown> | null)?.[key];
    return v && typeof v === "object" ? Object.entries(v as Record<string, unknown>) : [];
  };
  for (const [key, workday] of [
    ["holidays", false],
    ["workdays", true],
  ] as const) {
    for (const [date, value] of section(key)) {
      if (!isIsoDate(date)) {
        problems.push({ line: 0, text: date });
        continue;
      }
      // chinese-days names a day "Spring Festival,春节,4": the Chinese name is the second part.
      const zh = typeof value === "string" ? (value.split(",")[1] ?? null) : null;
      days.push({ date, workday, name: workday ? null : zh?.slice(0, 20) || null });
    }
  }
  days.sort((a, b) => a.date.localeCompare(b.date));
  return { days, problems };
}
