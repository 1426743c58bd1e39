#!/usr/bin/env bash
# README.md's Install section, taken literally: the shell lines of its `install: get` block (the clone replaced by this
# checkout), its `install: Program.cs` block as the program, the lines of its `install: run` block. Checks that the
# root `dotnet pack` makes exactly the intended packages with their metadata, that the app runs, and that the NativeAOT
# binary prints exactly what `dotnet run` prints. Exit 0 when all holds. Takes 2-4 minutes (NativeAOT publish).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
readme="$root/README.md"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
work="$(mktemp -d /tmp/nn-install.XXXXXX)"
trap 'rm -rf "$work"' EXIT

fail() { echo "install check failed: $*" >&2; exit 1; }

# The fenced block that follows the line `<!-- install: NAME ... -->` in README.md.
block() {
  awk -v name="$1" '
    $0 ~ "^<!-- install: " name "[ >]" { armed = 1; next }
    armed && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }' "$readme"
}

get="$(block get)"; program="$(block Program.cs)"; run="$(block run)"
[ -n "$get" ] && [ -n "$program" ] && [ -n "$run" ] || fail "README.md lacks an install: get / Program.cs / run block"

# A package built here is never on nuget.org: drop a copy cached by an earlier run so the fresh one is restored.
cache="$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')"
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props" | head -1)"
rm -rf "$cache/nn/$version" "$cache/nn.onnx/$version" "$root/artifacts/packages"

cd "$work"
ln -s "$root" nn
line_no=0
while IFS= read -r line; do
  line="${line%%#*}"
  [ -n "${line// }" ] || continue
  case "$line" in
    git\ clone*) continue ;;   # this checkout is the clone (linked as ./nn)
  esac
  echo "\$ $line"
  eval "$line" > "$work/get.$((line_no += 1)).log" 2>&1 || { cat "$work/get.$line_no.log"; fail "\`$line\` failed"; }
done <<< "$get"

# Exactly the intended packages, with their metadata.
actual="$(cd "$root/artifacts/packages" && ls | sort | tr '\n' ' ')"
expected="Nn.$version.nupkg Nn.$version.snupkg Nn.Onnx.$version.nupkg "
[ "$actual" = "$expected" ] || fail "dotnet pack made [$actual], expected [$expected]"
for id in Nn Nn.Onnx; do
  nuspec="$(unzip -p "$root/artifacts/packages/$id.$version.nupkg" "$id.nuspec")"
  for field in '<repository type="git" url="https://' '<license type="expression">MIT</license>' '<readme>README.md</readme>' '<description>'; do
    grep -qF "$field" <<< "$nuspec" || fail "$id.nuspec has no $field"
  done
done
listing="$(unzip -l "$root/artifacts/packages/Nn.$version.nupkg")"
for file in lib/net10.0/Nn.Runtime.dll lib/net10.0/Nn.Attributes.dll analyzers/dotnet/cs/Nn.Generator.dll \
            analyzers/dotnet/cs/Nn.CodeFixes.dll buildTransitive/Nn.props buildTransitive/Nn.targets buildTransitive/Nn.Weights.targets; do
  grep -qF " $file" <<< "$listing" || fail "Nn.$version.nupkg has no $file"
done
echo "packages: $actual(repository, license, readme, description present)"

printf '%s\n' "$program" > Program.cs   # the get block left us in MyApp
# The package compiles NativeAOT for x86-64-v3 (256-bit kernels); on an AVX-512 machine the JIT runs the 512-bit ones,
# so there, as README.md says, the JIT runs with DOTNET_EnableAVX512=0 to compute what the binary computes.
if grep -qw avx512f /proc/cpuinfo; then
  export DOTNET_EnableAVX512=0
  echo "(this CPU has AVX-512: DOTNET_EnableAVX512=0, as README.md says)"
fi
outputs=()
while IFS= read -r line; do
  [ -n "${line// }" ] || continue
  echo "\$ $line"
  log="$work/run.${#outputs[@]}.log"
  eval "$line" > "$log" 2>&1 || { cat "$log"; fail "\`$line\` failed"; }
  outputs+=("$log")
done <<< "$run"
unset DOTNET_EnableAVX512

jit="${outputs[0]}"; aot="${outputs[${#outputs[@]}-1]}"
cat "$jit"
grep -q '^accuracy ' "$jit" || fail "dotnet run printed no accuracy"
diff "$jit" "$aot" > /dev/null || { diff "$jit" "$aot"; fail "the NativeAOT binary printed other numbers than dotnet run"; }
echo "NativeAOT binary ($(stat -c %s "$work/MyApp/bin/Release/net10.0/linux-x64/publish/MyApp") bytes) printed exactly what dotnet run printed"
# The package's default instruction set reached the binary: an x86-64-v3 binary has AVX2 code (ymm registers) and
# no AVX-512 (zmm); ILC's own default (x86-64-v2) would have neither.
binary="$work/MyApp/bin/Release/net10.0/linux-x64/publish/MyApp"
if command -v objdump > /dev/null; then
  listing="$(objdump -d --no-show-raw-insn "$binary")"
  grep -q '%ymm' <<< "$listing" || fail "the NativeAOT binary has no 256-bit (AVX2) code: the package's x86-64-v3 was not applied"
  ! grep -q '%zmm' <<< "$listing" || fail "the NativeAOT binary has AVX-512 code: it would not start on AVX2 machines"
  echo "NativeAOT binary compiled for x86-64-v3: AVX2 code, no AVX-512 code"
fi

# [Weights] through the package's build wiring (docs/interop.md, step 6): the PyTorch model of samples/models embedded in
# the same app, its header checked at compile time; a declaration it does not fit is NN0029 and no build.
cp "$root/samples/models/fashion-torch.safetensors" "$work/MyApp/"
sed -i 's:</Project>:  <ItemGroup><NnWeights Include="fashion-torch.safetensors" /></ItemGroup>\n</Project>:' "$work/MyApp/MyApp.csproj"
cat > "$work/MyApp/Program.cs" <<'CS'
using Nn;
var net = new FashionNet();
var picture = new float[784];
for (var i = 0; i < picture.Length; i++) picture[i] = (i % 28) / 28f;
System.Console.WriteLine($"embedded {FashionNet.WeightsResource}: class {net.Predict(picture)}, sum of weights {net.Parameters.Sum():F4}");

[Weights("fashion-torch.safetensors")]
[Input(28, 28)]
[Affine(100), ReLU]
[Affine(10), Softmax]
public partial class FashionNet;
CS
(cd "$work/MyApp" && dotnet run -c Release > "$work/weights.log" 2>&1) || { cat "$work/weights.log"; fail "the [Weights] app failed"; }
grep -q '^embedded Nn.Weights/fashion-torch.safetensors: class ' "$work/weights.log" || { cat "$work/weights.log"; fail "the [Weights] app printed no class"; }
cat "$work/weights.log"
sed -i 's/\[Affine(100), ReLU\]/[Affine(64), ReLU]/' "$work/MyApp/Program.cs"
if (cd "$work/MyApp" && dotnet build -c Release > "$work/weights-wrong.log" 2>&1); then fail "a declaration the weights do not fit built"; fi
grep -q "error NN0029: \[Weights(\"fashion-torch.safetensors\")\]: the file does not fit this network: .*'1.weight' has shape \[100, 784\], but layer 1 (Affine(64)" "$work/weights-wrong.log" \
  || { cat "$work/weights-wrong.log"; fail "the wrong declaration did not fail with NN0029 naming the tensor"; }
echo "[Weights] through the package: embedded and checked (a wrong declaration is NN0029 naming '1.weight' [100, 784])"

