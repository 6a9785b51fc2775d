#!/usr/bin/python3
"""Trains a propensity MLP in PyTorch and writes TorchScript plus the kit's metadata JSON.

For teams that train in Python: the model this writes loads in the kit (PropensityModel.load /
Propensity.load) and scores raw columns in Spark, because the feature spec it fits is written in
the kit's format and applied by the kit's scorer exactly as here.

Runs with Debian's python3-torch (apt-get install python3-torch) and nothing else:

    /usr/bin/python3 datasets/train_torchscript.py --data customers.csv --label purchased \\
        --numeric tenure_months,recency_days,frequency,monetary,email_open_rate \\
        --categorical channel,region,device --log tenure_months,recency_days,frequency,monetary \\
        --out /models/purchase.pt

--data is a CSV with a header, or a directory of CSV part files as Spark writes them
(kit/bin/kit generate --output customers.csv), or Parquet when pyarrow is installed (Debian's
python3-torch does not bring it).
With --holdout, the rows whose --id falls in it are kept out of training and their predictions
are written next to the model (NAME_holdout.csv), to check Spark's scores against.
"""
import argparse
import csv
import glob
import hashlib
import json
import math
import os
import sys

import numpy as np
import torch


def read_rows(path):
    """Rows as dicts of text, from CSV (a file or Spark's part files) or, with pyarrow, Parquet."""
    parquet = path.endswith(".parquet") or (os.path.isdir(path) and glob.glob(os.path.join(path, "*.parquet")))
    if parquet:
        try:
            import pyarrow.parquet as pq
        except ImportError:
            sys.exit("train_torchscript: reading Parquet needs pyarrow (pip install pyarrow); or export CSV"
                     " from Spark: df.write.option('header', True).csv(...)")
        table = pq.read_table(path)
        for row in table.to_pylist():
            yield {k: "" if v is None else str(v) for k, v in row.items()}
        return
    files = sorted(glob.glob(os.path.join(path, "*.csv"))) if os.path.isdir(path) else [path]
    if not files:
        sys.exit("train_torchscript: no CSV files in " + path)
    for name in files:
        with open(name, newline="") as f:
            for row in csv.DictReader(f):
                yield row


def number(text):
    return None if text is None or text == "" else float(text)


def level(text):
    """The kit's level text: integral numbers without a decimal point."""
    try:
        d = float(text)
        if d == math.floor(d) and abs(d) < 1e15 and text.strip().lower() not in ("nan", "inf", "-inf"):
            return str(int(d))
    except ValueError:
        pass
    return text


def fit_spec(rows, numeric, categorical, log_columns, max_levels):
    """Same rules as the kit's FeatureSpec.fit: population std, mean imputation with a missing
    flag when the column had nulls, the most frequent levels (ties by name) kept and sorted."""
    columns = []
    for name in numeric:
        values = [r[name] for r in rows if r[name] is not None]
        if not values:
            sys.exit("train_torchscript: column %s is empty" % name)
        x = np.array(values, dtype=np.float64)
        if name in log_columns:
            if (x <= -1).any():
                sys.exit("train_torchscript: log1p column %s has values <= -1" % name)
            x = np.log1p(x)
        mean = float(x.mean())
        var = max(0.0, float((x * x).mean() - mean * mean))
        std = math.sqrt(var) if var > 1e-24 else 1.0
        col = {"name": name, "type": "numeric", "mean": mean, "std": std,
               "missing_indicator": len(values) < len(rows)}
        if name in log_columns:
            col["transform"] = "log1p"
        columns.append(col)
    for name in categorical:
        counts = {}
        for r in rows:
            if r[name] is not None:
                counts[r[name]] = counts.get(r[name], 0) + 1
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:max_levels]
        columns.append({"name": name, "type": "categorical", "levels": sorted(k for k, _ in top)})
    return {"columns": columns}


def encode(spec, rows):
    width = sum(len(c["levels"]) + 1 if c["type"] == "categorical" else (2 if c["missing_indicator"] else 1)
                for c in spec["columns"])
    out = np.zeros((len(rows), width), dtype=np.float32)
    for i, r in enumerate(rows):
        p = 0
        for c in spec["columns"]:
            v = r[c["name"]]
            if c["type"] == "categorical":
                levels = c["levels"]
                slot = levels.index(v) if v in levels else len(levels)
                out[i, p + slot] = 1.0
                p += len(levels) + 1
                continue
            if v is None:
                out[i, p + 1] = 1.0
                p += 2
                continue
            x = math.log1p(v) if c.get("transform") == "log1p" else v
            out[i, p] = (x - c["mean"]) / c["std"]
            p += 2 if c["missing_indicator"] else 1
    return out


def auc(scores, labels):
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    s = scores[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0 + 1
        i = j + 1
    pos = labels == 1
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return (ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--label", required=True)
    ap.add_argument("--numeric", default="")
    ap.add_argument("--categorical", default="")
    ap.add_argument("--log", default="", help="numeric columns to log1p before standardizing")
    ap.add_argument("--out", required=True, help="the .pt file to write; NAME.json goes beside it")
    ap.add_argument("--hidden", default="64,32")
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--patience", type=int, default=5)
    ap.add_argument("--validation", type=float, default=0.2)
    ap.add_argument("--balanced", action="store_true", help="weigh positives by negatives/positives")
    ap.add_argument("--max-levels", type=int, default=50)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--id", default="customer_id")
    ap.add_argument("--holdout", default="", help="an expression of the id, e.g. 'id %% 5 == 0'")
    a = ap.parse_args()

    numeric = [c for c in a.numeric.split(",") if c]
    categorical = [c for c in a.categorical.split(",") if c]
    log_columns = set(c for c in a.log.split(",") if c)
    torch.manual_seed(a.seed)
    rng = np.random.RandomState(a.seed)

    rows, labels, ids = [], [], []
    for r in read_rows(a.data):
        row = {c: number(r[c]) for c in numeric}
        row.update({c: (level(r[c]) if r[c] != "" else None) for c in categorical})
        y = float(r[a.label]) if r[a.label] not in ("true", "false") else float(r[a.label] == "true")
        if y not in (0.0, 1.0):
            sys.exit("train_torchscript: label %s must be 0 or 1, found %s" % (a.label, r[a.label]))
        rows.append(row)
        labels.append(y)
        ids.append(int(r[a.id]) if a.id in r and r[a.id] != "" else len(ids))
    held = [eval(a.holdout, {}, {"id": i}) for i in ids] if a.holdout else [False] * len(rows)
    train_idx = [i for i in range(len(rows)) if not held[i]]
    rng.shuffle(train_idx)
    n_val = int(round(len(train_idx) * a.validation))
    val_idx, fit_idx = train_idx[:n_val], train_idx[n_val:]
    spec = fit_spec([rows[i] for i in fit_idx], numeric, categorical, log_columns, a.max_levels)
    x = encode(spec, rows)
    y = np.array(labels, dtype=np.float32)
    print("train_torchscript: %d rows, %d for training, %d for validation, %d held out, %d inputs"
          % (len(rows), len(fit_idx), len(val_idx), sum(held), x.shape[1]))

    layers, width = [], x.shape[1]
    for h in [int(v) for v in a.hidden.split(",") if v]:
        layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
        width = h
    layers.append(torch.nn.Linear(width, 1))
    net = torch.nn.Sequential(*layers)
    positives = y[fit_idx].sum()
    pos_weight = (len(fit_idx) - positives) / max(positives, 1) if a.balanced else 1.0
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor([pos_weight]))
    opt = torch.optim.Adam(net.parameters(), lr=a.lr)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    best_auc, best_state, best_epoch, since = -1.0, None, 0, 0
    fit_idx = np.array(fit_idx)
    for epoch in range(1, a.epochs + 1):
        net.train()
        rng.shuffle(fit_idx)
        total, batches = 0.0, 0
        for s in range(0, len(fit_idx), a.batch_size):
            b = fit_idx[s:s + a.batch_size]
            opt.zero_grad()
            loss = loss_fn(net(xt[b]).squeeze(1), yt[b])
            loss.backward()
            opt.step()
            total, batches = total + loss.item(), batches + 1
        net.eval()
        with torch.no_grad():
            val_auc = auc(net(xt[val_idx]).squeeze(1).numpy(), y[val_idx])
        print("epoch %d/%d: loss %.4f, validation AUC %.4f" % (epoch, a.epochs, total / batches, val_auc))
        if val_auc > best_auc + 1e-5:
            best_auc, best_epoch, since = val_auc, epoch, 0
            best_state = {k: v.clone() for k, v in net.state_dict().items()}
        else:
            since += 1
            if since >= a.patience:
                print("early stop: keeping epoch %d" % best_epoch)
                break
    net.load_state_dict(best_state)
    net.eval()

    traced = torch.jit.trace(net, torch.zeros(2, x.shape[1]))
    traced.save(a.out)
    with open(a.out, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    name = os.path.splitext(os.path.basename(a.out))[0]
    meta = {"name": name, "version": "1", "format": "torchscript", "features": numeric + categorical,
            "preprocessing": {"type": "none"}, "output": "logit", "sha256": sha, "spec": spec}
    with open(os.path.splitext(a.out)[0] + ".json", "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    if a.holdout:
        idx = [i for i in range(len(rows)) if held[i]]
        with torch.no_grad():
            p = torch.sigmoid(traced(xt[idx]).squeeze(1)).numpy()
        with open(os.path.splitext(a.out)[0] + "_holdout.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow([a.id, "prediction"])
            for i, v in zip(idx, p):
                w.writerow([ids[i], "%.9g" % v])
    print("train_torchscript: wrote %s (sha256 %s) and %s.json, best validation AUC %.4f at epoch %d"
          % (a.out, sha[:12], os.path.splitext(a.out)[0], best_auc, best_epoch))


if __name__ == "__main__":
    main()
