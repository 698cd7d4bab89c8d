#!/usr/bin/env python3
"""check_image.py - check that a guest ELF is an image the PV runner accepts.

Usage: check_image.py --load-lo N --load-hi N GUEST

Passes (exit 0) when GUEST is a static x86-64 ET_EXEC whose PT_LOAD segments
all lie in [load-lo, load-hi), whose entry point is inside an executable
segment, which has no interpreter, dynamic section or TLS, and whose symbol
table has no undefined symbols and nothing from a sanitizer or stack-protector
runtime. Prints what is wrong otherwise (exit 1).
"""
import argparse
import struct
import sys

PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_TLS = 1, 2, 3, 7
PF_X = 1
SHT_SYMTAB = 2
ET_EXEC = 2
EM_X86_64 = 62
FORBIDDEN_PREFIXES = ("__asan", "__ubsan", "__sanitizer", "__lsan", "__tsan",
                      "__stack_chk")


def symbols(data, shoff, shnum, shentsize):
    """Yields (name, shndx) for every entry of the first SHT_SYMTAB."""
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
                for i in range(shnum)]
    for sh in sections:
        if sh[1] != SHT_SYMTAB:
            continue
        strtab = sections[sh[6]]
        for off in range(sh[4], sh[4] + sh[5], sh[9]):
            name, _info, _other, shndx, _value, _size = struct.unpack_from("<IBBHQQ", data, off)
            start = strtab[4] + name
            end = data.index(b"\0", start)
            yield data[start:end].decode(errors="replace"), shndx
        return


def check(path, lo, hi):
    with open(path, "rb") as f:
        data = f.read()
    errors = []
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return ["not a 64-bit little-endian ELF file"]
    (e_type, e_machine, _ver, entry, phoff, shoff, _flags, _ehsize, phentsize, phnum,
     shentsize, shnum, _shstrndx) = struct.unpack_from("<HHIQQQIHHHHHH", data, 16)
    if e_type != ET_EXEC:
        errors.append(f"type {e_type}, not ET_EXEC (a position-independent image?)")
    if e_machine != EM_X86_64:
        errors.append(f"machine {e_machine}, not x86-64")

    entry_ok = False
    nr_load = 0
    for i in range(phnum):
        p_type, p_flags, _off, vaddr, _paddr, filesz, memsz, _align = struct.unpack_from(
            "<IIQQQQQQ", data, phoff + i * phentsize)
        if p_type in (PT_INTERP, PT_DYNAMIC, PT_TLS):
            errors.append(f"program header {i} has type {p_type} (interpreter, dynamic or TLS)")
        if p_type != PT_LOAD:
            continue
        nr_load += 1
        if vaddr < lo or vaddr + memsz > hi:
            errors.append(f"PT_LOAD {i} [{vaddr:#x}, {vaddr + memsz:#x}) outside "
                          f"[{lo:#x}, {hi:#x})")
        if p_flags & PF_X and vaddr <= entry < vaddr + filesz:
            entry_ok = True
    if nr_load == 0:
        errors.append("no PT_LOAD segment")
    if not entry_ok:
        errors.append(f"entry {entry:#x} is not inside an executable PT_LOAD")

    for name, shndx in symbols(data, shoff, shnum, shentsize):
        if name.startswith(FORBIDDEN_PREFIXES):
            errors.append(f"symbol {name} from a runtime guests do not have")
        elif name and shndx == 0:
            errors.append(f"undefined symbol {name}")
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--load-lo", type=int, required=True)
    ap.add_argument("--load-hi", type=int, required=True)
    ap.add_argument("guest")
    args = ap.parse_args()
    errors = check(args.guest, args.load_lo, args.load_hi)
    for e in errors:
        print(f"{args.guest}: {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
