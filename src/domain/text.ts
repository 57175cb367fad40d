import { z } from 'zod';
import { lazySchema } from './lazy-schema';

/**
 * Text people type ends up in terminals (`list`, `show`), chat and email, so it is checked where it enters:
 * whatever could rewrite a terminal, reorder what a reader sees or hide from them is refused, naming the
 * character. Prose may span lines; everything else is one line. Identifiers get a tight character set.
 */

/** Control characters (ANSI escapes start with one), lone surrogates, line/paragraph separators, noncharacters. */
const CONTROL = /[\p{Cc}\p{Cs}\u2028\u2029\uFFFE\uFFFF]/u;
/** The same, minus the newline and tab that prose may keep (a CR is normalized away before the check). */
const CONTROL_IN_PROSE = /[^\P{Cc}\n\t]|[\p{Cs}\u2028\u2029\uFFFE\uFFFF]/u;
/**
 * Invisible format characters: bidi overrides and isolates (U+202A–202E, U+2066–2069), zero-width spaces and
 * joiners, the BOM, tag characters. A zero-width joiner between two emoji (👩‍💻) is the one legitimate use.
 */
const INVISIBLE =
  /(?<![\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F])\u200D|\u200D(?!\p{Extended_Pictographic})|[^\P{Cf}\u200D]/u;
/** `../` or `..\`: a path that climbs out of wherever it is joined to. */
const PATH_TRAVERSAL = /(^|[\s/\\])\.\.([/\\]|$)/;

function codePoint(text: string, pattern: RegExp): string | undefined {
  const found = pattern.exec(text)?.[0]?.codePointAt(0);
  return found === undefined ? undefined : `U+${found.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Why `text` is unsafe to show, or undefined. */
export function unsafeCharacter(text: string, { multiline }: { multiline: boolean }): string | undefined {
  const control = codePoint(text, multiline ? CONTROL_IN_PROSE : CONTROL);
  if (control !== undefined) {
    const allowed = multiline ? ' (only newlines and tabs are allowed)' : '';
    return `must not contain control characters or terminal escapes: found ${control}${allowed}`;
  }
  const invisible = codePoint(text, INVISIBLE);
  if (invisible !== undefined) return `must not contain invisible or bidi formatting characters: found ${invisible}`;
  return undefined;
}

function bounded(max: number, { min }: { min: 0 | 1 }) {
  const schema = z.string().trim();
  return (min === 1 ? schema.min(1, 'must not be empty') : schema).max(max, `must be at most ${max} characters`);
}

/**
 * Refuses what a terminal would act on before anything is trimmed, so a trailing escape or form feed is refused
 * rather than silently cut: the same input is refused everywhere, whatever its position.
 */
function oneLineFirst<T extends z.ZodType<string, string>>(schema: T) {
  return z
    .string()
    .superRefine((text, ctx) => {
      const unsafe = unsafeCharacter(text, { multiline: false });
      if (unsafe !== undefined) ctx.addIssue({ code: 'custom', message: unsafe });
      else if (PATH_TRAVERSAL.test(text)) ctx.addIssue({ code: 'custom', message: 'must not contain ../ or ..\\' });
    })
    .pipe(schema);
}

/** One line of text (a title, a reason, a name for a check): no line breaks, no `../`. */
export function singleLine(max: number, options: { min: 0 | 1 } = { min: 1 }) {
  return oneLineFirst(bounded(max, options));
}

/**
 * Prose (a summary, a note, an impact): newlines and tabs stay, Windows line ends become `\n`, every other
 * control character is refused. A path in prose is only ever shown, so `../` may appear.
 */
export function prose(max: number, options: { min: 0 | 1 } = { min: 1 }) {
  return z
    .string()
    .transform((text) => text.replace(/\r\n/g, '\n'))
    .superRefine((text, ctx) => {
      const unsafe = unsafeCharacter(text, { multiline: true });
      if (unsafe !== undefined) ctx.addIssue({ code: 'custom', message: unsafe });
    })
    .pipe(bounded(max, options));
}

/**
 * For text that must not be refused because nobody could retype it (an alert's payload): every unsafe
 * character becomes U+FFFD, so the fact is kept and the terminal is not.
 */
export function neutralized(max: number) {
  // Whole code points throughout: cutting at `max` UTF-16 units could leave half a surrogate pair.
  return z.string().transform((text) =>
    Array.from(text.replace(/\r\n/g, '\n'))
      .slice(0, max)
      .map((character) => (unsafeCharacter(character, { multiline: true }) === undefined ? character : '\uFFFD'))
      .join(''),
  );
}

/**
 * A person: letters (any script), digits, spaces and `. _ - @ '`, starting with a letter, digit or `@`.
 * Covers `alice`, `Zoë O'Brien`, `bob@example.com`, `@carol` and Slack ids; nothing that could be a path.
 */
export const actorSchema = lazySchema(() =>
  oneLineFirst(
    z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(100, 'must be at most 100 characters')
      .regex(
        // A person's name, or a Slack user the policy does not list (`slack:U012AB3CD`), as the Slack app records them.
        /^(?:slack:[UW][A-Z0-9]{2,20}|[\p{L}\p{N}@][\p{L}\p{M}\p{N} ._@'-]*)$/u,
        "use letters, digits, spaces and . _ - @ ' (starting with a letter, digit or @)",
      )
      .refine((name) => !name.includes('..'), 'must not contain ..'),
  ),
);

/** A service as policies name it (`checkout`, `payments-api`, `search.v2`): what its smoke checks are keyed by. */
export const serviceNameSchema = lazySchema(() =>
  oneLineFirst(
    z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(63, 'must be at most 63 characters')
      .regex(/^[a-z0-9][a-z0-9._-]*$/, 'use lowercase letters, digits, . _ and -, starting with a letter or digit')
      .refine((name) => !name.includes('..'), 'must not contain ..'),
  ),
);

/** A name a policy file refers to (a contact, a paging target): letters, digits, `. _ -`. */
export const policyKeySchema = lazySchema(() =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(63, 'must be at most 63 characters')
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, . _ and -, starting with a letter or digit')
    .refine((name) => !name.includes('..'), 'must not contain ..'),
);

/** Every character a terminal would act on or hide, written as `\uXXXX`: for messages that may quote input. */
export function escapeUnsafe(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/gu, (character) => {
    return `\\u${(character.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;
  });
}

/** Echoes what someone typed inside an error message: quoted, at most 40 characters, nothing a terminal acts on. */
export function quoted(text: string): string {
  const shown = Array.from(text);
  return escapeUnsafe(JSON.stringify(shown.length > 40 ? `${shown.slice(0, 40).join('')}…` : text));
}
