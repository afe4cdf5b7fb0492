#!/usr/bin/env python3
"""check-po-template.py SRCDIR: po/ is current with the sources.

1. po/POTFILES lists exactly the files under ui/ and app/ with strings marked for translation
   (po/update-potfiles.sh --list says which);
2. po/casescope.pot holds exactly the msgids xgettext finds in them now (po/update-potfiles.sh --pot);
3. every po/*.po passes msgfmt --check.
Each failure names the files or msgids; the fix is po/update-potfiles.sh (and translating what it adds)."""
import os
import subprocess
import sys
import tempfile


def msgids(path):
    """The (context, msgid, plural) keys of a PO/POT file, the header and obsolete entries left out."""
    keys, entry, field = set(), {}, None

    def flush():
        if entry.get('msgid'):
            keys.add((entry.get('msgctxt'), entry['msgid'], entry.get('msgid_plural')))
        entry.clear()

    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line.startswith('#') or not line:
                if line.startswith('#~'):
                    continue
                if not line and entry:
                    flush()
                field = None
                continue
            if line.startswith('"'):
                if field is not None:
                    entry[field] += unquote(line)
                continue
            key, _, rest = line.partition(' ')
            if key in ('msgctxt', 'msgid') and 'msgstr' in entry:
                flush()
            if key.startswith('msgstr'):
                entry['msgstr'] = ''
                field = None
                continue
            field = key
            entry[key] = unquote(rest)
    flush()
    return keys


def unquote(s):
    return s[1:-1].encode('utf-8').decode('unicode_escape').encode('latin-1').decode('utf-8')


def show(key):
    ctx, mid, plural = key
    return ('[%s] ' % ctx if ctx else '') + repr(mid) + (' / ' + repr(plural) if plural else '')


def main():
    src = sys.argv[1]
    if os.environ.get('CS_UNDER_VALGRIND'):
        # meson test --setup valgrind wraps every test in memcheck, children included: shell, xgettext and msgfmt
        # are not this project's code, and their own leaks would fail the check.
        print('skipped under valgrind: nothing of this project runs here')
        return 77
    script = os.path.join(src, 'po', 'update-potfiles.sh')
    failed = False

    listed = [l.strip() for l in open(os.path.join(src, 'po', 'POTFILES'), encoding='utf-8')
              if l.strip() and not l.startswith('#')]
    wanted = subprocess.run([script, '--list'], check=True, capture_output=True, text=True).stdout.split()
    for f in sorted(set(wanted) - set(listed)):
        print('po/POTFILES lacks %s, which has strings marked for translation' % f)
        failed = True
    for f in sorted(set(listed) - set(wanted)):
        print('po/POTFILES lists %s, which has no string marked for translation (or does not exist)' % f)
        failed = True

    if not failed:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = os.path.join(tmp, 'fresh.pot')
            subprocess.run([script, '--pot', fresh], check=True)
            now, committed = msgids(fresh), msgids(os.path.join(src, 'po', 'casescope.pot'))
        for key in sorted(now - committed, key=show):
            print('po/casescope.pot lacks ' + show(key))
            failed = True
        for key in sorted(committed - now, key=show):
            print('po/casescope.pot has a msgid no source marks any more: ' + show(key))
            failed = True
        print('%d msgids in the template' % len(committed))

    for po in sorted(f for f in os.listdir(os.path.join(src, 'po')) if f.endswith('.po')):
        r = subprocess.run(['msgfmt', '--check', '--statistics', '-o', os.devnull, os.path.join(src, 'po', po)],
                           capture_output=True, text=True)
        print('%s: %s' % (po, (r.stdout + r.stderr).strip()))
        if r.returncode != 0:
            failed = True

    if failed:
        print('run po/update-potfiles.sh to bring po/ up to date')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
