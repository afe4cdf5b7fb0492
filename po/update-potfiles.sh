#!/bin/sh
# po/update-potfiles.sh: regenerates po/POTFILES from the tree (every file under ui/ and app/ with a string marked
# for translation), then the template po/casescope.pot, then merges it into each language of po/LINGUAS.
#   po/update-potfiles.sh               all three steps
#   po/update-potfiles.sh --list        print the files POTFILES should list, one a line
#   po/update-potfiles.sh --pot OUT     write a template of the files listed in POTFILES to OUT (the test compares
#                                       it with po/casescope.pot)
# The keywords are those of meson's i18n 'glib' preset (po/meson.build), so that `ninja casescope-pot` agrees.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

list_files () {
  # C sources and headers with _(, N_(, C_(, ngettext ( and templates with translatable="yes"; casescope-cli
  # (app/cs-cli*.c, app/cli-main.c, app/cs-batch.c) is machine output and stays untranslated.
  { grep -rlE --include='*.c' --include='*.h' '(^|[^A-Za-z0-9_])(N?C?_|ngettext|g_dngettext) ?\(' ui app model/engine || true
    grep -rl --include='*.ui' 'translatable="yes"' ui app || true
  } | grep -vE '^app/(cs-cli|cli-main|cs-batch)' | LC_ALL=C sort -u
}

make_pot () {
  xgettext --package-name=casescope --msgid-bugs-address=https://github.com/casescope/casescope/issues \
    --from-code=UTF-8 --add-comments --sort-by-file \
    --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dcgettext:2 \
    --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
    --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
    --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
    --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
    --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format --flag=g_snprintf:3:c-format \
    --files-from=po/POTFILES --output="$1"
}

case "${1:-}" in
  --list)
    list_files
    exit 0
    ;;
  --pot)
    make_pot "$2"
    exit 0
    ;;
  "")
    ;;
  *)
    echo "usage: $0 [--list | --pot OUT]" >&2
    exit 2
    ;;
esac

list_files > po/POTFILES.new
mv po/POTFILES.new po/POTFILES
make_pot po/casescope.pot.new
mv po/casescope.pot.new po/casescope.pot
for lang in $(sed 's/#.*//' po/LINGUAS); do
  if [ ! -e "po/$lang.po" ]; then
    msginit --no-translator --locale="$lang" --input=po/casescope.pot --output-file="po/$lang.po"
  fi
  msgmerge --quiet --update --backup=none --previous "po/$lang.po" po/casescope.pot
  msgfmt --check --statistics -o /dev/null "po/$lang.po"
done
