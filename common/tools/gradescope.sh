#!/usr/bin/env bash
# gradescope.sh [LAB...] - build grade-out/gradescope/autograder.zip in Gradescope's layout.
#
# The zip holds setup.sh (installs the toolchain and bubblewrap on Gradescope's Ubuntu image
# and creates the unprivileged grading user), run_autograder (grades /autograder/submission
# and writes /autograder/results/results.json) and the grading half of this repo: common/,
# tests/ and the pristine skeleton of each lab (skeleton/NN-name/: the course's Makefile and
# files, and which files are the student's) - never the reference solutions.
#
# A submission may be a whole checkout, a labs/ tree, a directory of lab directories, or one
# lab's bare files (no Makefile, no directory: what students upload most often).  Bare files
# go to the lab chosen here (`make gradescope LAB=04`) or, when the package covers several
# labs, to the lab whose files they are (recognised by name).  The grading is the same as
# `make grade`: hermetic build, the same sandbox (sandbox.py), the same budgets.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/grade-out/gradescope
labs=("$@")
rm -rf "$out" && mkdir -p "$out/pkg/asynclabs"
cp -r "$top/common" "$top/tests" "$out/pkg/asynclabs/"
find "$out/pkg" \( -name build -o -name __pycache__ \) -type d -prune -exec rm -rf {} +
python3 "$top/common/tools/skelgen.py" --into "$out/pkg/asynclabs/skeleton" > /dev/null
rm -f "$out/pkg/asynclabs/skeleton/.skeleton-manifest"
# which suspicious patterns the reference itself uses (names only), so that the package can
# flag student code the way the full checkout does without shipping the reference
python3 - "$top" "$out/pkg/asynclabs/skeleton/allowed.json" <<'PY'
import json, os, sys
sys.path.insert(0, os.path.join(sys.argv[1], "common", "tools"))
import grade_box as grade
allowed = {lab: {rel: sorted(grade.allowed_patterns(lab, rel)) for rel in grade.course_lab(lab)[1]}
           for lab in sorted(d for d in os.listdir(os.path.join(sys.argv[1], "tests")) if os.path.isfile(os.path.join(sys.argv[1], "tests", d, "points")))}
json.dump(allowed, open(sys.argv[2], "w"), indent=1)
PY
lab_args=""
for l in "${labs[@]}"; do lab_args+=" --lab $l"; done
cat > "$out/pkg/setup.sh" <<'SH'
#!/usr/bin/env bash
# Gradescope runs this once, as root, when the autograder image is built.
set -e
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq make gcc libc6-dev python3 \
	libcriterion-dev liburing-dev util-linux bubblewrap
id asl-grader > /dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent \
	--shell /usr/sbin/nologin asl-grader
# which sandbox this image gives the grader (bubblewrap if user namespaces work here, else the
# dedicated user with a pids cgroup and rlimits); printed into the build log
python3 /autograder/source/asynclabs/common/tools/grade.py --sandbox-info || true
SH
cat > "$out/pkg/run_autograder" <<SH
#!/usr/bin/env bash
# Gradescope entry point: grade the submission, write results.json (always, even if the
# grader itself fails).
set -u
root=\${AUTOGRADER:-/autograder}
sub=\$root/submission
grade="python3 \$root/source/asynclabs/common/tools/grade.py"
mkdir -p "\$root/results"
json=\$root/results/results.json
if [ -d "\$sub/labs" ]; then
	set -- --tree "\$sub/labs"
elif compgen -G "\$sub/[0-9][0-9]-*/" > /dev/null; then
	set -- --tree "\$sub"
else
	set -- --files "\$sub"      # one lab's bare files: the lab named here, or recognised
fi
\$grade "\$@"$lab_args --json "\$json" --out /tmp/grade-out > /tmp/grade.log 2>&1
rc=\$?
cat /tmp/grade.log
if [ ! -s "\$json" ]; then
	python3 - "\$json" /tmp/grade.log <<'PY'
import json, sys
log = open(sys.argv[2], errors="replace").read()[-4000:]
json.dump({"score": 0, "output": "The grader could not grade this submission:\n" + log,
           "tests": []}, open(sys.argv[1], "w"))
PY
fi
exit 0
SH
chmod +x "$out/pkg/setup.sh" "$out/pkg/run_autograder"
(cd "$out/pkg" && python3 -c "
import shutil; shutil.make_archive('../autograder', 'zip', '.')")
echo "gradescope: wrote $out/autograder.zip (upload it as the autograder; labs:${lab_args:- all})"
