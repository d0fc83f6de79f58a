#!/usr/bin/env bash
# gradescope.sh [LAB...] - build grade-out/gradescope/autograder.zip in Gradescope's layout.
#
# The zip holds setup.sh (installs the toolchain on Gradescope's Ubuntu image), run_autograder
# (grades /autograder/submission: a labs/ tree, a whole checkout, or one lab's files, and
# writes /autograder/results/results.json) and the grading half of this repo: common/, tests/,
# and the labs' Makefiles - never the reference solutions.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/grade-out/gradescope
labs=("$@")
rm -rf "$out" && mkdir -p "$out/pkg/asynclabs/solutions"
cp -r "$top/common" "$top/tests" "$out/pkg/asynclabs/"
find "$out/pkg" -name build -type d -prune -exec rm -rf {} +
for d in "$top"/solutions/*/; do
	l=$(basename "$d"); [ -f "$d/Makefile" ] || continue
	mkdir -p "$out/pkg/asynclabs/solutions/$l"; cp "$d/Makefile" "$out/pkg/asynclabs/solutions/$l/"
done
lab_args=""
for l in "${labs[@]}"; do lab_args+=" --lab $l"; done
cat > "$out/pkg/setup.sh" <<'SH'
#!/usr/bin/env bash
set -e
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq make gcc python3 libcriterion-dev liburing-dev util-linux
SH
cat > "$out/pkg/run_autograder" <<SH
#!/usr/bin/env bash
# Gradescope entry point: grade the submission, write results.json.
set -u
sub=/autograder/submission
tree=\$sub
[ -d "\$sub/labs" ] && tree=\$sub/labs
# a single lab's files uploaded flat: place them in the lab directory named by its Makefile
if [ -f "\$sub/Makefile" ] && grep -q '^LAB ' "\$sub/Makefile"; then
	lab=\$(sed -n 's/^LAB *:= *//p' "\$sub/Makefile"); mkdir -p /tmp/labs; cp -r "\$sub" "/tmp/labs/\$lab"; tree=/tmp/labs
fi
mkdir -p /autograder/results
python3 /autograder/source/asynclabs/common/tools/grade.py --tree "\$tree"$lab_args \\
	--json /autograder/results/results.json --out /tmp/grade-out
SH
chmod +x "$out/pkg/setup.sh" "$out/pkg/run_autograder"
(cd "$out/pkg" && python3 -c "
import shutil; shutil.make_archive('../autograder', 'zip', '.')")
echo "gradescope: wrote $out/autograder.zip (upload it as the autograder; labs:${lab_args:- all})"
