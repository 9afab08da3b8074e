import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The web page's folder: `web/` of the function's root in Lambda, else of the project (sources and dist/ alike sit two levels below it). */
export function defaultWebDir(env: Record<string, string | undefined> = process.env): string {
  return env.LAMBDA_TASK_ROOT ? path.join(env.LAMBDA_TASK_ROOT, 'web') : fileURLToPath(new URL('../../web/', import.meta.url));
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The page's policy: its own scripts, styles, images and API only; no inline script, no framing, no plugins.
 * Every answer carries it (a JSON one cannot run anything, and says so).
 */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

export interface StaticFile {
  contentType: string;
  body: Buffer;
}

/**
 * The file of `webDir` a URL path names (`/` is index.html; a path without an extension that names no file is
 * a page of the app: index.html too). Undefined when there is none; never a file outside `webDir` or a dotfile.
 */
export async function staticFile(webDir: string, urlPath: string): Promise<StaticFile | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  const parts = decoded.split('/').filter(Boolean);
  if (parts.some((part) => part.startsWith('.') || part.includes('\\') || part.includes('\0'))) return undefined;
  const root = path.resolve(webDir);
  const file = path.resolve(root, ...parts);
  if (file !== root && !file.startsWith(root + path.sep)) return undefined;
  const extension = path.extname(file);
  const candidates = parts.length === 0 ? [path.join(root, 'index.html')] : extension ? [file] : [file, path.join(root, 'index.html')];
  for (const candidate of candidates) {
    const type = CONTENT_TYPES[path.extname(candidate)];
    if (!type) continue;
    try {
      return { contentType: type, body: await readFile(candidate) };
    } catch {
      // Not there (or a folder): the next candidate.
    }
  }
  return undefined;
}
