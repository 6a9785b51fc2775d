#!/usr/bin/env bash
# Fetches the public datasets from their publishers and verifies each file's sha256. For machines
# with internet; the kit never downloads at run time. They go where the notes and the tests read
# them: DIR, else $KIT_DATA_DIR, else ~/propensity-kit/datasets.
#
#   datasets/download.sh [DIR]
set -euo pipefail

dir="${1:-${KIT_DATA_DIR:-$HOME/propensity-kit/datasets}}"
mkdir -p "$dir/lalonde"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

fetch() {  # url target sha256
  local url="$1" target="$2" sha="$3"
  if [[ -f "$dir/$target" ]] && echo "$sha  $dir/$target" | sha256sum -c --status; then
    echo "ok       $target (already here)"
    return
  fi
  echo "fetching $target"
  curl -fsSL --retry 3 -o "$tmp/file" "$url"
  if ! echo "$sha  $tmp/file" | sha256sum -c --status; then
    echo "error: $target from $url has sha256 $(sha256sum "$tmp/file" | cut -d' ' -f1), expected $sha" >&2
    exit 1
  fi
  mv "$tmp/file" "$dir/$target"
  echo "ok       $target"
}

fetch "http://www.minethatdata.com/Kevin_Hillstrom_MineThatData_E-MailAnalytics_DataMiningChallenge_2008.03.20.csv" \
  hillstrom.csv 0e5893329d8b93cefecc571777672028290ab69865718020c78c7284f291aece

# UCI serves the dataset as a zip holding the CSV.
if ! { [[ -f "$dir/online_shoppers_intention.csv" ]] && echo "9cda002173422ffbd455fbedcb378cd8b7cea1e6b727faaa39aec08d087d8120  $dir/online_shoppers_intention.csv" | sha256sum -c --status; }; then
  echo "fetching online_shoppers_intention.csv"
  curl -fsSL --retry 3 -o "$tmp/uci.zip" \
    "https://archive.ics.uci.edu/static/public/468/online+shoppers+purchasing+intention+dataset.zip"
  unzip -o -q "$tmp/uci.zip" online_shoppers_intention.csv -d "$tmp"
  echo "9cda002173422ffbd455fbedcb378cd8b7cea1e6b727faaa39aec08d087d8120  $tmp/online_shoppers_intention.csv" \
    | sha256sum -c --status || { echo "error: online_shoppers_intention.csv has an unexpected sha256" >&2; exit 1; }
  mv "$tmp/online_shoppers_intention.csv" "$dir/"
  echo "ok       online_shoppers_intention.csv"
else
  echo "ok       online_shoppers_intention.csv (already here)"
fi

nber="https://users.nber.org/~rdehejia/data"
fetch "$nber/nswre74_treated.txt" lalonde/nswre74_treated.txt b4710095ca8aec7c870cb7da869f7333c8f8aa99dfefdcb4ddfed0a8476de6d8
fetch "$nber/nswre74_control.txt" lalonde/nswre74_control.txt f07369a54720d45777256f38c55385c8e650a60c542a5710d068e3a8bcabe957
fetch "$nber/psid_controls.txt" lalonde/psid_controls.txt c8238fce4b1d50d1f2a9410f20cd35c0ed9a47c694a4cdb023dad52dcae27cb8
fetch "$nber/cps_controls.txt" lalonde/cps_controls.txt f591b387ed3eb4036d9b524a8d5d909446c748ac49e0cc55024089adc5902947
echo "all datasets verified in $dir"
