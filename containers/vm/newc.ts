// The initramfs the VM boots: a cpio archive in the "newc" format the kernel
// unpacks (Documentation/driver-api/early-userspace/buffer-format.rst),
// written here so that building one needs neither cpio(1) nor root (the
// /dev/console node is just a header).

/** One file, directory or device node of the archive. */
export interface NewcEntry {
  /** Path inside the archive, without a leading slash ("init", "dev/console"). */
  readonly name: string;
  /** st_mode: type and permission bits (0o100755 a file, 0o40755 a directory, 0o20600 a char device). */
  readonly mode: number;
  readonly data?: Uint8Array;
  /** Device nodes: major and minor number. */
  readonly rdev?: readonly [number, number];
}

export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
const pad4 = (n: number): number => (4 - (n % 4)) % 4;

function header(ino: number, e: NewcEntry, size: number): Buffer {
  const name = Buffer.from(e.name + '\0', 'utf8');
  const fields = [
    ino, e.mode, 0 /* uid */, 0 /* gid */, (e.mode & S_IFDIR) === S_IFDIR ? 2 : 1, 0 /* mtime: reproducible */, size,
    0, 0, e.rdev?.[0] ?? 0, e.rdev?.[1] ?? 0, name.length, 0 /* check */,
  ];
  const head = Buffer.from('070701' + fields.map(hex8).join(''), 'ascii');
  return Buffer.concat([head, name, Buffer.alloc(pad4(head.length + name.length))]);
}

/** The archive's bytes: the entries in order (parents before children), then the trailer. */
export function newcArchive(entries: readonly NewcEntry[]): Buffer {
  const parts: Buffer[] = [];
  entries.forEach((e, i) => {
    const data = e.data ?? new Uint8Array(0);
    parts.push(header(i + 1, e, data.length), Buffer.from(data.buffer, data.byteOffset, data.length), Buffer.alloc(pad4(data.length)));
  });
  parts.push(header(0, { name: 'TRAILER!!!', mode: 0 }, 0));
  return Buffer.concat(parts);
}
