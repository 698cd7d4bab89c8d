#!/usr/bin/env python3
"""gen_corpus.py - writes the seed corpus of the fuzz targets.

    python3 tests/fuzz/gen_corpus.py [OUTDIR]    (default: tests/fuzz/corpus)

corpus/elf_load/: small ELF64 x86-64 images for fuzz_elf_load: valid static
executables (one segment; text + data + bss + PT_NOTE + PT_GNU_STACK; a bss
large enough to be zeroed by dropping pages) and one of each kind the loader
refuses.

corpus/hypercall/: operation sequences for fuzz_hypercall, one file per area
(console, version, event channels, grant tables, sched, timers, vCPUs,
memory, Dom0 operations, domain lifecycle). The encoding is the one
fuzz_hypercall.c decodes; keep the two in step. The output is deterministic
and the files are checked in; rerun after changing either side.
"""
import os
import struct
import sys

# ---- ELF images -------------------------------------------------------------

GUEST_BASE = 0x100000000
LOAD_VA = GUEST_BASE + 0x100000  # XL_GUEST_LOAD_MIN
PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE = 1, 2, 3, 4
PT_GNU_STACK = 0x6474E551
PF_X, PF_W, PF_R = 1, 2, 4
ET_EXEC, ET_DYN = 2, 3
EHDR, PHDR = 64, 56


def elf(entry, segs, etype=ET_EXEC, machine=62, data_off=0x100):
    """segs: (type, flags, vaddr, bytes, memsz). Segment bytes follow the
    headers, each at an offset congruent to nothing in particular: the loader
    needs no alignment between file offset and address."""
    phoff = EHDR
    out = bytearray(max(data_off, EHDR + PHDR * len(segs)))
    off = len(out)
    phdrs = []
    blobs = []
    for typ, flags, vaddr, data, memsz in segs:
        phdrs.append(struct.pack('<IIQQQQQQ', typ, flags, off, vaddr, vaddr,
                                 len(data), memsz, 0x1000))
        blobs.append(data)
        off += len(data)
    ident = b'\x7fELF' + bytes([2, 1, 1, 0]) + bytes(8)
    ehdr = ident + struct.pack('<HHIQQQIHHHHHH', etype, machine, 1, entry, phoff,
                               0, 0, EHDR, PHDR, len(segs), 0, 0, 0)
    out[0:EHDR] = ehdr
    for i, ph in enumerate(phdrs):
        out[phoff + PHDR * i:phoff + PHDR * (i + 1)] = ph
    for b in blobs:
        out += b
    return bytes(out)


CODE = bytes([0x0f, 0x0b, 0xf4, 0xc3])  # ud2; hlt; ret
DATA = b'initialised data\0'


def elf_seeds():
    text = (PT_LOAD, PF_R | PF_X, LOAD_VA, CODE, len(CODE))
    return {
        'valid-min': elf(LOAD_VA, [text]),
        'valid-full': elf(LOAD_VA + 1, [
            text,
            (PT_NOTE, PF_R, LOAD_VA + 0x1000, bytes(8), 8),
            (PT_LOAD, PF_R | PF_W, LOAD_VA + 0x3010, DATA, 0x2000),
            (PT_GNU_STACK, PF_R | PF_W, 0, b'', 0),
        ]),
        'valid-big-bss': elf(LOAD_VA, [
            text,
            (PT_LOAD, PF_R | PF_W, LOAD_VA + 0x10008, DATA, 0x120000),
        ]),
        'valid-zero-memsz': elf(LOAD_VA + 2, [
            (PT_LOAD, PF_R, LOAD_VA + 0x8000, b'', 0),
            text,
        ]),
        'bad-interp': elf(LOAD_VA, [
            (PT_INTERP, PF_R, 0, b'/lib/ld.so\0', 11), text]),
        'bad-dynamic': elf(LOAD_VA, [text, (PT_DYNAMIC, PF_R | PF_W, 0, bytes(16), 16)]),
        'bad-et-dyn': elf(LOAD_VA, [text], etype=ET_DYN),
        'bad-machine': elf(LOAD_VA, [text], machine=3),
        'bad-overlap': elf(LOAD_VA, [text, (PT_LOAD, PF_R, LOAD_VA + 2, DATA, len(DATA))]),
        'bad-below-window': elf(GUEST_BASE + 0x1000, [
            (PT_LOAD, PF_R | PF_X, GUEST_BASE + 0x1000, CODE, len(CODE))]),
        'bad-entry-not-x': elf(LOAD_VA, [(PT_LOAD, PF_R | PF_W, LOAD_VA, CODE, len(CODE))]),
        'bad-truncated': elf(LOAD_VA, [text])[:40],
    }

# ---- hypercall operation sequences -----------------------------------------
# Operation selectors (enum op in fuzz_hypercall.c).
(OP_CONSOLE_IO, OP_XEN_VERSION, OP_EVTCHN, OP_GNTTAB, OP_GNTTAB_COPY, OP_SCHED,
 OP_SET_TIMER, OP_VCPU, OP_MEMORY, OP_RAW_HCALL, OP_POKE, OP_GRANT, OP_SHINFO,
 OP_DOM0_EVTCHN, OP_DOM0_MAP, OP_DOM0_UNMAP, OP_DOM0_COPY, OP_DOM0_DISCONNECT,
 OP_LIFECYCLE, OP_RUN_TIMERS, OP_RING_READ) = range(21)

# EVTCHNOP_* in the order of read_evtchn's table
(EV_ALLOC_UNBOUND, EV_BIND_INTERDOMAIN, EV_BIND_VIRQ, EV_BIND_IPI, EV_BIND_VCPU,
 EV_CLOSE, EV_SEND, EV_STATUS, EV_UNMASK, EV_RESET) = range(10)

PLACE = 0  # the next free spot of the scratch area


def b(*vals):
    return bytes(vals)


def u16(v):
    return struct.pack('<H', v)


def u64(v):
    return struct.pack('<Q', v)


def caller(slot, vcpu=0):
    return b(slot + 4 * vcpu)


# pick_domid
SELF = b(0)
DOM0 = b(1)


def dom(slot):
    return b(2 | slot << 3)


# pick_time
T_NONE, T_PAST, T_FUTURE, T_NOW, T_SOON, T_1S = b(0), b(1), b(2), b(4), b(5), b(7)


def run_timers(step):
    """Time moves on by step (0: none, 1: 1 us, 2: 1 s, 3: 2 h), timers run."""
    return b(OP_RUN_TIMERS, step)


def gfn_scratch(k):
    return b(k << 3)


def ev(slot, cmd, *args, vcpu=0):
    return b(OP_EVTCHN) + caller(slot, vcpu) + b(cmd) + b''.join(args) + b(PLACE)


def dom0_ev(owner, cmd, *args):
    return b(OP_DOM0_EVTCHN, owner - 1, cmd) + b''.join(args)


def grant(slot, ref, grantee, frame, readonly=False):
    return b(OP_GRANT, slot, ref, 4 if readonly else 0) + grantee + frame


def copy_ptr_gref(domid, ref, offset_b=0):
    return domid + b(ref, offset_b)


def copy_ptr_gfn(domid, gfn, offset_b=0):
    return domid + gfn + b(offset_b)


def gcopy(flags, src, dst, len_b):
    return b(flags) + src + dst + b(len_b)


def life(slot, sub, *args):
    return b(OP_LIFECYCLE, slot + 4 * sub) + b''.join(args)


def hypercall_seeds():
    s = {}
    s['console'] = (
        b(OP_CONSOLE_IO) + caller(0) + b(0, 6) + b'hello\n' + b(PLACE) +
        b(OP_CONSOLE_IO) + caller(1, 1) + b(1, 3) + b'abc' + b(PLACE) +
        b(OP_CONSOLE_IO) + caller(0) + b(0, 0xf0) + bytes(64) + b(PLACE) +  # 4096 bytes
        b(OP_RING_READ, 0x00) + u16(0) + u16(64) + dom(0) +
        b(OP_RING_READ, 0x81) + u16(0) + u16(0x4000))
    s['version'] = (
        b(OP_XEN_VERSION) + caller(0) + b(0, PLACE) +
        b(OP_XEN_VERSION) + caller(1) + b(1, PLACE) +
        b(OP_XEN_VERSION) + caller(0) + b(1, 13) + u64(0x10) +
        b(OP_RAW_HCALL) + caller(1) + b(17, 0, 0, 0, 0, 0))
    s['evtchn'] = (
        # slot 1: port 1 unbound for slot 0; slot 0 binds it (its port 1)
        ev(1, EV_ALLOC_UNBOUND, SELF, dom(0)) +
        ev(0, EV_BIND_INTERDOMAIN, dom(1), b(1)) +
        ev(0, EV_SEND, b(1)) +
        ev(1, EV_STATUS, SELF, b(1)) +
        ev(0, EV_BIND_VIRQ, b(0), b(0)) +          # VIRQ_TIMER on vCPU 0
        ev(0, EV_BIND_VIRQ, b(1), b(0)) +          # VIRQ_DEBUG
        ev(0, EV_BIND_IPI, b(1)) +
        ev(0, EV_SEND, b(4)) +
        ev(0, EV_BIND_VCPU, b(1), b(1)) +
        b(OP_SHINFO, 0, 0, 1) +                    # mask port 1
        ev(1, EV_SEND, b(1)) +
        ev(0, EV_UNMASK, b(1)) +
        ev(0, EV_CLOSE, b(1)) +
        ev(1, EV_STATUS, SELF, b(1)) +
        ev(1, EV_RESET, SELF) +
        ev(0, EV_STATUS, dom(1), b(1)) +           # EPERM
        b(OP_EVTCHN) + caller(0) + b(10) + struct.pack('<I', 99) + bytes(16) + b(PLACE))
    s['gnttab'] = (
        b(OP_GNTTAB) + caller(0) + b(0) + SELF + b(4) + b(PLACE, PLACE) +
        b(OP_GNTTAB) + caller(1) + b(1) + SELF + b(PLACE) +
        b(OP_GNTTAB) + caller(1) + b(0x82, 2) + dom(0) + b(PLACE) +  # query, count 2
        # slot 1 grants its scratch frame 0 to slot 0 (ref 0) and frame 1
        # read-only (ref 1); slot 0 copies from ref 0 and into ref 1
        grant(1, 0, dom(0), gfn_scratch(0)) +
        grant(1, 1, dom(0), gfn_scratch(1), readonly=True) +
        b(OP_GNTTAB_COPY) + caller(0) + b(2) +
        gcopy(1, copy_ptr_gref(dom(1), 0), copy_ptr_gfn(SELF, gfn_scratch(2)), 0x01) +
        gcopy(2, copy_ptr_gfn(SELF, gfn_scratch(2)), copy_ptr_gref(dom(1), 1), 0x10) +
        b(PLACE) +
        b(OP_GNTTAB_COPY) + caller(0) + b(1) +
        gcopy(3, copy_ptr_gref(dom(1), 0), copy_ptr_gref(dom(1), 0, 1), 0x01) + b(PLACE) +
        b(OP_GNTTAB_COPY) + caller(1) + b(1) +
        gcopy(0, copy_ptr_gfn(dom(0), gfn_scratch(0)), copy_ptr_gfn(SELF, gfn_scratch(1)),
              0x01) + b(PLACE))
    s['sched'] = (
        b(OP_SCHED) + caller(0) + b(0, PLACE) +
        ev(1, EV_ALLOC_UNBOUND, SELF, dom(0)) +
        ev(0, EV_BIND_INTERDOMAIN, dom(1), b(1)) +
        b(OP_SCHED) + caller(0) + b(1, PLACE) +      # pending: returns at once
        b(OP_SHINFO, 0, 6, 0) +                      # clear upcall_pending
        b(OP_SCHED) + caller(0) + b(1, PLACE) +      # blocks
        ev(1, EV_SEND, b(1), vcpu=1) +               # wakes it
        b(OP_SCHED) + caller(1) + b(4, 2, 1, 2) + T_FUTURE + b(PLACE, PLACE) +
        ev(0, EV_SEND, b(1)) +                       # ends the poll
        b(OP_SCHED) + caller(1) + b(5, 0) + T_PAST + b(PLACE, PLACE) +
        b(OP_SCHED) + caller(1) + b(7) + u16(77) + u16(0) + b(PLACE) +
        # slot 1 polls its port 1 while masked; slot 0's send ends the poll
        b(OP_SHINFO, 1, 0, 1) + b(OP_SHINFO, 1, 3, 1) +
        b(OP_SCHED) + caller(1, 1) + b(4, 1, 1) + T_FUTURE + b(PLACE, PLACE) +
        ev(0, EV_SEND, b(1)) +
        b(OP_SCHED) + caller(1) + b(3 | 3 << 3, PLACE))  # shutdown(crash)
    s['timer'] = (
        ev(0, EV_BIND_VIRQ, b(0), b(0)) +                 # VIRQ_TIMER: port 1
        b(OP_SET_TIMER) + caller(0) + T_PAST +            # fires at once
        b(OP_SET_TIMER) + caller(0, 1) + T_FUTURE +
        b(OP_SCHED) + caller(0, 1) + b(1, PLACE) +         # blocks
        b(OP_SET_TIMER) + caller(1) + b(3) + u64(1000) +
        b(OP_SCHED) + caller(1) + b(1, PLACE) +
        run_timers(2) +                                   # 1 s: nothing due
        b(OP_SET_TIMER) + caller(0) + T_NONE +
        run_timers(3) +                                   # 2 h: vCPU 1 wakes
        # a timer 1 us away ends a block; a poll deadline 1 s away a poll
        b(OP_SET_TIMER) + caller(0) + T_SOON +
        b(OP_SHINFO, 0, 6, 0) + b(OP_SHINFO, 0, 3, 1) +   # nothing pending
        b(OP_SCHED) + caller(0) + b(1, PLACE) +
        b(OP_SCHED) + caller(0, 1) + b(4, 1, 3) + T_1S + b(PLACE, PLACE) +
        run_timers(1) + run_timers(2) +
        b(OP_SCHED) + caller(0) + b(4, 0) + T_NOW + b(PLACE, PLACE))
    s['vcpu'] = (
        b(OP_VCPU) + caller(0) + b(3, 1, PLACE) +            # is_up(1)
        b(OP_VCPU) + caller(0) + b(1, 1, PLACE) +            # up before initialise
        b(OP_VCPU) + caller(0) + b(0, 1, 0, 0) + u64(7) + b(PLACE) +
        b(OP_VCPU) + caller(0) + b(1, 1, PLACE) +            # up
        b(OP_VCPU) + caller(0) + b(2, 1, PLACE) +            # down someone else
        b(OP_VCPU) + caller(0, 1) + b(2, 1, PLACE) +         # down itself
        b(OP_VCPU) + caller(0) + b(1, 1, PLACE) +            # up again: resumes
        b(OP_VCPU) + caller(0) + b(0, 0, 3) + u64(0) + b(3) + u64(1) + u64(0) + b(PLACE) +
        b(OP_VCPU) + caller(0) + b(4, 0, PLACE) +
        b(OP_VCPU) + caller(0) + b(3, 0xf3, PLACE))           # vCPU UINT32_MAX
    s['memory'] = (
        b(OP_MEMORY) + caller(0) + b(4) + SELF + b(PLACE) +
        b(OP_MEMORY) + caller(0) + b(5) + dom(1) + b(PLACE) +
        b(OP_MEMORY) + caller(0) + b(3, PLACE, PLACE) +
        b(OP_MEMORY) + caller(0) + b(1, 2) + gfn_scratch(3) + gfn_scratch(4) + b(0) + SELF +
        b(PLACE, PLACE) +
        b(OP_MEMORY) + caller(0) + b(0, 3) + gfn_scratch(3) + gfn_scratch(4) + b(5) +
        b(0) + SELF + b(PLACE, PLACE) +
        b(OP_MEMORY) + caller(1) + b(2, 1) + b(4) + b(0) + SELF + b(PLACE, PLACE) +
        b(OP_MEMORY) + caller(1) + b(1, 1) + gfn_scratch(0) + b(0xf1) + SELF + b(PLACE, PLACE))
    s['dom0'] = (
        # Dom0 (owner 1) offers port 1 to slot 0, which binds it
        dom0_ev(1, EV_ALLOC_UNBOUND, SELF, dom(0)) +
        ev(0, EV_BIND_INTERDOMAIN, DOM0, b(1)) +
        ev(0, EV_SEND, b(1)) +                      # dom0_event(owner 1)
        ev(0, EV_SEND, b(1)) +                      # raised again while masked
        dom0_ev(1, EV_UNMASK, b(1)) +               # delivered once more
        dom0_ev(2, EV_SEND, b(1)) +                 # not owner 2's port
        dom0_ev(1, EV_SEND, b(1)) +
        dom0_ev(1, EV_BIND_VIRQ, b(3), b(0)) +      # VIRQ_DOM_EXC
        dom0_ev(2, EV_BIND_VIRQ, b(2), b(0)) +      # VIRQ_CONSOLE
        dom0_ev(1, EV_STATUS, dom(0), b(1)) +
        dom0_ev(1, EV_ALLOC_UNBOUND, dom(1), dom(0)) +  # a channel between DomUs
        ev(0, EV_BIND_INTERDOMAIN, dom(1), b(1)) +
        # grants: slot 0 grants ref 2 to Dom0; Dom0 maps it twice and copies
        grant(0, 2, DOM0, gfn_scratch(5)) +
        b(OP_DOM0_MAP, 0, 0, 2, 0) +
        b(OP_DOM0_MAP, 1, 0, 2, 1) +
        b(OP_DOM0_COPY, 2) +
        gcopy(1, copy_ptr_gref(dom(0), 2), copy_ptr_gfn(SELF, b(0x11)), 0x01) +
        gcopy(2, copy_ptr_gfn(SELF, b(0x00)), copy_ptr_gref(dom(0), 2), 0x20) +
        b(OP_DOM0_UNMAP, 0) +
        b(OP_DOM0_UNMAP, 0x40) +                    # someone else's handle
        b(OP_DOM0_UNMAP, 0xc3) + u16(5) + u16(0) + b(0) +
        life(1, 2, b(0)) +                          # shutdown slot 1: VIRQ_DOM_EXC
        dom0_ev(1, EV_RESET, dom(0)) +
        b(OP_DOM0_DISCONNECT, 0) +
        b(OP_DOM0_DISCONNECT, 1))
    s['lifecycle'] = (
        grant(0, 3, DOM0, gfn_scratch(6)) +
        b(OP_DOM0_MAP, 0, 0, 3, 0) +
        ev(1, EV_ALLOC_UNBOUND, SELF, dom(0)) +
        ev(0, EV_BIND_INTERDOMAIN, dom(1), b(1)) +
        life(0, 0) + life(0, 0) + life(0, 1) +      # pause twice, unpause
        life(0, 3) +                                # destroy: mapped, so it lingers
        ev(1, EV_SEND, b(1)) +
        b(OP_DOM0_MAP, 0, 0, 3, 0) +                # dying: refused
        life(0, 4, b(0)) +                          # runner exits
        b(OP_DOM0_UNMAP, 0) +                       # last mapping: reaped
        life(2, 5, b(0x83)) +                       # create: 2 vCPUs, maxmem 8 MiB
        life(2, 6, b(0)) + b(64) +                  # setmaxmem
        life(2, 7, b(0)) + b(32) +                  # settarget
        b(OP_MEMORY) + caller(2) + b(0, 2) + gfn_scratch(3) + gfn_scratch(4) + b(0) + SELF +
        b(PLACE, PLACE) +
        life(2, 8, dom(2)) + life(0, 9) +           # getinfo, physinfo
        life(1, 2, b(1)) + life(1, 4, b(1)) +       # shutdown, runner exits
        life(1, 3) + life(3, 5, b(0)) + life(3, 3) + life(3, 10) +
        # created but not launched: Dom0 acts on it, then it starts
        life(3, 5, b(0x41)) +
        dom0_ev(1, EV_ALLOC_UNBOUND, dom(3), DOM0) +
        grant(3, 0, DOM0, gfn_scratch(0)) + b(OP_DOM0_MAP, 0, 3, 0, 0) +
        b(OP_EVTCHN) + caller(3) + b(EV_SEND, 1, PLACE) +
        life(3, 1) + life(3, 11) +
        b(OP_EVTCHN) + caller(3) + b(EV_SEND, 1, PLACE) +
        b(OP_RING_READ, 0x81) + u16(0) + u16(0x4000) +
        run_timers(0))
    # a domain with 64 vCPUs: those above 31 have no vcpu_info
    s['many-vcpus'] = (
        life(2, 5, b(4)) +
        b(OP_EVTCHN) + caller(2, 40) + b(EV_BIND_VIRQ, 0, 0xf4) + struct.pack('<I', 40) +
        b(PLACE) +
        b(OP_EVTCHN) + caller(2, 40) + b(EV_BIND_IPI, 0xf0, PLACE) +   # vCPU 31
        b(OP_EVTCHN) + caller(2, 40) + b(EV_BIND_IPI, 0xf1, PLACE) +   # vCPU 32
        b(OP_EVTCHN) + caller(2) + b(EV_SEND, 1, PLACE) +
        b(OP_VCPU) + caller(2) + b(0, 0xf2, 0, 0) + u64(0) + b(PLACE) +   # vCPU 64
        b(OP_VCPU) + caller(2) + b(0, 0xf4) + struct.pack('<I', 63) + b(0, 0) + u64(0) +
        b(PLACE) +
        b(OP_VCPU) + caller(2) + b(1, 0xf4) + struct.pack('<I', 63) + b(PLACE) +
        b(OP_SET_TIMER) + caller(2, 63) + T_SOON +
        b(OP_SCHED) + caller(2, 63) + b(1, PLACE) +
        b(OP_SCHED) + caller(2, 33) + b(4, 1, 1) + T_1S + b(PLACE, PLACE) +
        run_timers(2))
    # privcmd's DOMAIN_CREATE as it came: one that works (then launched),
    # and each kind of refusal
    name8 = b'rawdom\0\0'
    s['create-raw'] = (
        life(2, 5, b(0x20)) + b(0x02, 2) + name8 +
        life(2, 11) + b(OP_XEN_VERSION) + caller(2, 1) + b(0, PLACE) +
        life(3, 5, b(0x20)) + b(0x01) + u64(1 << 40) + b(1) + name8 +
        life(3, 5, b(0x20)) + b(0x61) + u64(4096) + b(1) + struct.pack('<I', 1) + b'A' * 64 +
        life(3, 5, b(0x20)) + b(0x20, 1) + b'B' * 64 +
        life(3, 5, b(0x20)) + b(0x80) + u64(2048) + b(1) + name8 +
        life(3, 5, b(0x20)) + b(0x00, 0) + name8 +
        life(3, 5, b(0x20)) + b(0x00, 65) + name8 +
        life(3, 5, b(0x20)) + b(0x01) + u64(3 << 20) + b(1) + name8)
    s['poke'] = (
        b(OP_POKE, 0, 1) + u16(0) + b(16) + bytes([1, 0, 0, 0, 0, 0, 0, 0] * 2) +
        b(OP_POKE, 1, 0) + u16(0) + b(8) + bytes([0xff] * 8) +
        b(OP_POKE, 0, 2) + u16(0) + b(4) + b'\x41\x41\x41\x41' +
        b(OP_POKE, 0, 3) + u16(0xffff) + b(32) + bytes(range(32)) +
        ev(0, EV_BIND_IPI, b(0)) + ev(0, EV_SEND, b(1)) +
        b(OP_SHINFO, 0, 2, 1) + b(OP_SHINFO, 0, 7, 1) + b(OP_SHINFO, 0, 4, 0) +
        b(OP_SCHED) + caller(0) + b(1, PLACE))
    s['hostile-addresses'] = (
        b(OP_CONSOLE_IO) + caller(0) + b(0, 8) + bytes(8) + b(11 | 4 << 4) +
        b(OP_XEN_VERSION) + caller(0) + b(1, 11) +
        ev(0, EV_ALLOC_UNBOUND, SELF, dom(1))[:-1] + b(13) + u64(2 ** 64 - 8) +
        ev(0, EV_ALLOC_UNBOUND, SELF, dom(1))[:-1] + b(12 | 1 << 4) +
        b(OP_GNTTAB) + caller(0) + b(0) + SELF + b(3) + b(14) + u16(0) + b(PLACE) +
        b(OP_GNTTAB_COPY) + caller(0) + b(0xf0, 0xf2, PLACE) +  # 512 copies of zeroed memory
        b(OP_SCHED) + caller(0) + b(4, 0xf3, 0xf6) + struct.pack('<I', 0x40000000) + T_PAST +
        b(PLACE, PLACE) +
        b(OP_MEMORY) + caller(0) + b(0, 0xf3, 0xf7) + u64(2 ** 63) + b(0) + SELF + b(PLACE) +
        b(15) + struct.pack('<I', 0x3ffff0) +
        b(OP_RAW_HCALL) + caller(0) + b(32, 0, 3) + u64(2 ** 64 - 1) + b(1, 2) +
        struct.pack('<I', 5) + b(0))
    return s


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, 'corpus')
    for target, seeds in (('elf_load', elf_seeds()), ('hypercall', hypercall_seeds())):
        d = os.path.join(out, target)
        os.makedirs(d, exist_ok=True)
        for name, data in sorted(seeds.items()):
            assert len(data) < 4096, name
            with open(os.path.join(d, name), 'wb') as f:
                f.write(data)


if __name__ == '__main__':
    main()
