// Reading a partner's CSV as a stream: UTF-8 with or without BOM, comma or semicolon, quoted fields as Excel writes
// them (csv-parse does the quoting). Only one record is held at a time; a file-level problem is an INVALID_FILE error.

import { pipeline, Readable } from 'node:stream';
import { setImmediate } from 'node:timers/promises';
import { CsvError, parse } from 'csv-parse';
import { type Message, msg } from '../../messages/index.js';
import { DomainError } from '../errors.js';

/** The longest cell we accept: far above any user field, far below a file that is one giant cell. */
export const MAX_CELL_CHARS = 65_536;
/** How far into the file the header line must end. */
const MAX_HEADER_CHARS = 65_536;
/** Characters handed to the CSV parser at a time (see openCsv). */
const PARSE_SLICE = 4_096;

export type Delimiter = ',' | ';';

export interface CsvRecord {
  /** The line of the file where the record starts (the header is line 1). */
  line: number;
  cells: string[];
}

export interface CsvFile {
  header: string[];
  delimiter: Delimiter;
  bom: boolean;
  records: AsyncIterable<CsvRecord>;
}

export const fileError = (message: Message, field: string[] = ['file']) =>
  new DomainError('INVALID_FILE', message, { field });

/** Bytes or text chunks → text chunks, refusing what is not UTF-8 text and what is larger than maxBytes. */
async function* decodeText(chunks: AsyncIterable<Uint8Array | string>, maxBytes: number): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let bytes = 0;
  const check = (text: string) => {
    if (text.includes('\0')) throw fileError(msg('bulk.fileBinary'));
    return text;
  };
  for await (const chunk of chunks) {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (bytes > maxBytes) throw fileError(msg('bulk.fileTooLarge', { maxBytes }));
    // A NUL byte never occurs in text: say "binary" rather than blame the encoding.
    if (typeof chunk !== 'string' && chunk.includes(0)) throw fileError(msg('bulk.fileBinary'));
    let text: string;
    try {
      text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    } catch {
      throw fileError(msg('bulk.fileNotUtf8'));
    }
    if (text) yield check(text);
  }
  try {
    const rest = decoder.decode();
    if (rest) yield check(rest);
  } catch {
    throw fileError(msg('bulk.fileCutCharacter'));
  }
}

/** How often each delimiter occurs in the header line, outside quotes. */
function headerDelimiters(line: string): Map<Delimiter, number> {
  const found = new Map<Delimiter, number>();
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === ',' || c === ';')) found.set(c, (found.get(c) ?? 0) + 1);
  }
  return found;
}

function describeCsvError(e: CsvError, delimiter: Delimiter, headerSize: number): Message {
  const line = (e as CsvError & { lines?: number }).lines || null;
  switch (e.code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH': {
      // csv-parse always gives the record with this error.
      const cells = (e as CsvError & { record?: string[] }).record?.length ?? 0;
      return msg('bulk.cellCount', { line, cells, headerCells: headerSize, delimiter });
    }
    case 'CSV_MAX_RECORD_SIZE':
      return msg('bulk.cellTooLong', { line, max: MAX_CELL_CHARS });
    case 'CSV_QUOTE_NOT_CLOSED':
      return msg('bulk.quoteNotClosed', { line });
    default:
      return msg('bulk.csvError', { line, detail: e.message });
  }
}

/**
 * Opens a CSV stream: reads up to the end of the header line to choose the delimiter, then parses record by record.
 * Errors (file-level) surface from `records` as INVALID_FILE with the line at fault.
 */
export async function openCsv(chunks: AsyncIterable<Uint8Array | string>, maxBytes: number): Promise<CsvFile> {
  const text = decodeText(chunks, maxBytes);
  let head = '';
  while (!head.includes('\n')) {
    const next = await text.next();
    if (next.done) break;
    head += next.value;
    if (head.length > MAX_HEADER_CHARS && !head.slice(0, MAX_HEADER_CHARS).includes('\n')) {
      throw fileError(msg('bulk.headerTooLong', { max: MAX_HEADER_CHARS }));
    }
  }
  const bom = head.startsWith('\uFEFF');
  // Only the first line: `head` may be the whole file, and splitting it all would hold the event loop.
  const firstLine = head.slice(head.startsWith('\uFEFF') ? 1 : 0, head.includes('\n') ? head.indexOf('\n') : undefined);
  const headerLine = firstLine.replace(/\r$/, '');
  if (head.replace(/^\uFEFF/, '').trim() === '') {
    throw fileError(msg('bulk.fileEmptyNoHeader'));
  }
  const delimiters = headerDelimiters(headerLine);
  if (delimiters.size > 1) {
    throw fileError(msg('bulk.mixedDelimiters'));
  }
  const delimiter: Delimiter = delimiters.has(';') ? ';' : ',';
  // Known before parsing: csv-parse may fail on a later line before it hands over the header.
  const headerSize = (delimiters.get(delimiter) ?? 0) + 1;

  const parser = parse({
    delimiter,
    bom: true,
    info: true,
    skip_empty_lines: true,
    max_record_size: MAX_CELL_CHARS,
  });
  // The parser handles each piece it is given in one go: pieces of at most PARSE_SLICE characters keep every such
  // stretch short, so a large file (or one huge string) never holds the event loop for long.
  async function* source() {
    for await (const piece of (async function* () {
      yield head;
      yield* text;
    })()) {
      for (let i = 0; i < piece.length; i += PARSE_SLICE) {
        yield piece.slice(i, i + PARSE_SLICE);
        // A real pause (not a microtask): lines the parser skips (empty ones) reach no other await.
        await setImmediate();
      }
    }
  }
  pipeline(Readable.from(source()), parser, () => {});
  const iterator = parser[Symbol.asyncIterator]() as AsyncIterator<{ record: string[]; info: { lines: number } }>;

  const read = async (): Promise<CsvRecord | null> => {
    let next: IteratorResult<{ record: string[]; info: { lines: number } }>;
    try {
      next = await iterator.next();
    } catch (e) {
      if (e instanceof CsvError) throw fileError(describeCsvError(e, delimiter, headerSize));
      throw e;
    }
    if (next.done) return null;
    const { record, info } = next.value;
    // info.lines is the line where the record ends; quoted line breaks inside it move its start up.
    const breaks = record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);
    return { line: info.lines - breaks, cells: record };
  };

  const first = await read();
  if (!first) throw fileError(msg('bulk.fileEmpty'));
  return {
    header: first.cells,
    delimiter,
    bom,
    records: {
      async *[Symbol.asyncIterator]() {
        try {
          for (let r = await read(); r; r = await read()) yield r;
        } finally {
          parser.destroy();
        }
      },
    },
  };
}

// CSV injection (OWASP): a spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return) as a
// formula. Exported cells get a leading apostrophe, which spreadsheets show as text; an import takes it off again,
// so an export re-imports unchanged.
const FORMULA_START = /^[=+\-@\t\r]/;

export function neutralizeFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

export function restoreFormula(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}
