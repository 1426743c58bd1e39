#!/usr/bin/env bash
# What [Weights] embedding costs the build: a fresh console app with one network, built with and without an NnWeights item
# of about 1 MB and 30 MB, and, for comparison, the same bytes pasted into C# as a u8 array literal (what embedding avoids).
#
#   bash bench/weights/build-cost.sh [rounds]      (default 3; prints a markdown table of medians)
#
# Each row: a clean build (obj/ and bin/ removed; restore done beforehand) and a rebuild after the weights file (or the
# literal's source) changed. Needs /usr/bin/python3 with numpy to write the weights files.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-3}
work=$(mktemp -d /tmp/nn-weights-cost.XXXXXX)
trap 'rm -rf "$work"' EXIT

# name, declaration's hidden sizes (784 inputs, 10 outputs): about 1 MB and 30 MB of float32 weights
declare -A hidden=([1MB]="334" [30MB]="4096 1024")

write_weights() {   # $1 file, $2.. hidden sizes; Nn's layout (W1, b1, ...), F32, random values; $RANDOM_SEED varies the bytes
  /usr/bin/python3 - "$@" <<'PY'
import json, struct, sys, os
import numpy as np
path, sizes = sys.argv[1], [784] + [int(s) for s in sys.argv[2:]] + [10]
rng = np.random.default_rng(int(os.environ.get("SEED", "1")))
tensors, header, offset, blobs = [], {}, 0, []
for k in range(len(sizes) - 1):
    for name, shape in ((f"W{k+1}", [sizes[k], sizes[k+1]]), (f"b{k+1}", [sizes[k+1]])):
        blob = rng.standard_normal(shape, dtype=np.float32).astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob); blobs.append(blob)
header["__metadata__"] = {"format": "nn"}
text = json.dumps(header, separators=(",", ":")).encode(); text += b" " * (-len(text) % 8)
with open(path, "wb") as f:
    f.write(struct.pack("<Q", len(text))); f.write(text); [f.write(b) for b in blobs]
PY
}

declaration() {   # $1 hidden sizes
  local layers=""
  for h in $1; do layers+="[Affine($h), ReLU] "; done
  echo "[Input(784)] ${layers}[Affine(10), Softmax]"
}

make_app() {   # $1 folder, $2 mode (none|embed|literal), $3 hidden sizes
  mkdir -p "$1"
  local item="" attribute=""
  [[ $2 == embed ]] && item='<ItemGroup><NnWeights Include="weights.safetensors" /></ItemGroup>' && attribute='[Weights("weights.safetensors")]'
  cat > "$1/App.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable>
    <TreatWarningsAsErrors>false</TreatWarningsAsErrors><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup>
  $item
  <ItemGroup>
    <ProjectReference Include="$root/src/Nn.Attributes/Nn.Attributes.csproj" />
    <ProjectReference Include="$root/src/Nn.Runtime/Nn.Runtime.csproj" />
    <ProjectReference Include="$root/src/Nn.Generator/Nn.Generator.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
  </ItemGroup>
  <Import Project="$root/src/Nn.Runtime/buildTransitive/Nn.Weights.targets" />
</Project>
XML
  cat > "$1/Program.cs" <<CS
using Nn;
var net = new Net();
System.Console.WriteLine(net.Parameters.Length + (Bytes.Data.Length > 0 ? " (literal)" : ""));
$attribute
$(declaration "$3")
public partial class Net;
CS
  write_weights "$1/weights.safetensors" $3
  literal "$1" "$2"
}

literal() {   # $1 folder, $2 mode: Bytes.cs holds the weights file as a C# u8 array literal, or nothing
  if [[ $2 == literal ]]; then
    /usr/bin/python3 - "$1/weights.safetensors" "$1/Bytes.cs" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
with open(sys.argv[2], "w") as f:
    f.write("static class Bytes { public static System.ReadOnlySpan<byte> Data => new byte[] {\n")
    for i in range(0, len(data), 64):
        f.write(",".join(str(b) for b in data[i:i+64]) + ",\n")
    f.write("}; }\n")
PY
  else
    echo 'static class Bytes { public static System.ReadOnlySpan<byte> Data => new byte[0]; }' > "$1/Bytes.cs"
  fi
}

seconds() { local s; s=$(date +%s.%N); "$@" > "$work/last.log" 2>&1 || { cat "$work/last.log"; exit 1; }; echo "$(date +%s.%N) - $s" | bc; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

dotnet build "$root/src/Nn.Runtime/Nn.Runtime.csproj" -c Release > /dev/null
echo "| weights | how | clean build (s) | rebuild after the weights changed (s) | assembly |"
echo "| --- | --- | ---: | ---: | ---: |"
for size in 1MB 30MB; do
  for mode in none embed literal; do
    [[ $mode == literal && $size == 30MB && -z ${NN_LITERAL_30MB:-} ]] && continue   # minutes; set NN_LITERAL_30MB=1 to include
    app="$work/$size-$mode"
    make_app "$app" "$mode" "${hidden[$size]}"
    dotnet restore "$app" > /dev/null
    clean=() ; again=()
    for ((r = 0; r < rounds; r++)); do
      rm -rf "$app/obj/Release" "$app/bin"
      clean+=("$(seconds dotnet build "$app" -c Release --no-restore)")
      SEED=$((r + 2)) write_weights "$app/weights.safetensors" ${hidden[$size]}
      literal "$app" "$mode"
      again+=("$(seconds dotnet build "$app" -c Release --no-restore)")
    done
    bytes=$(stat -c %s "$app/bin/Release/net10.0/App.dll")
    how=$([[ $mode == none ]] && echo "no weights (baseline)" || ([[ $mode == embed ]] && echo "[Weights] + NnWeights (embedded resource)" || echo "u8 array literal in C#"))
    printf '| %s (%s bytes) | %s | %.1f | %.1f | %s |\n' "$size" "$(stat -c %s "$app/weights.safetensors")" "$how" "$(median "${clean[@]}")" "$(median "${again[@]}")" "$bytes"
  done
done
