package io.diffii.model;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The prompt tokenizer of a model folder's {@code tokenizer/}: CLIP's byte-level BPE ({@code
 * vocab.json} + {@code merges.txt}, as real SD-1.x folders ship it) or a HuggingFace {@code
 * tokenizer.json} with a WordLevel model (the embedded model's). {@link #encode} wraps the tokens
 * in start and end tokens and pads to the model's length, as Stable Diffusion pipelines do.
 *
 * <p>Textual-inversion placeholders ({@link #addPlaceholder}) such as {@code <item-3>} are matched
 * exactly (case-sensitive) before any other splitting and map to ids appended after the vocabulary;
 * a concept of n vectors puts its n ids in the prompt. The tokenizer files are not changed.
 */
public final class Tokenizer {

  private static final String BOS = "<|startoftext|>";
  private static final String EOS = "<|endoftext|>";
  private static final String UNK = "<|unk|>";
  private static final Pattern CLIP_PIECES =
      Pattern.compile(
          "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
          Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern WORD_PIECES =
      Pattern.compile("\\w+|[^\\w\\s]+", Pattern.UNICODE_CHARACTER_CLASS);

  private final Map<String, Integer> vocab;
  private final Map<String, Integer> mergeRanks;
  private final boolean bpe;
  private final int maxLength;
  private final long bosId;
  private final long eosId;
  private final long padId;
  private final Integer unkId;
  private final Map<String, List<Long>> placeholders = new LinkedHashMap<>();
  private final Map<String, List<Integer>> cache = new HashMap<>();
  private int extraIds;

  private Tokenizer(
      Map<String, Integer> vocab,
      Map<String, Integer> mergeRanks,
      int maxLength,
      String pad,
      String unk) {
    this.vocab = vocab;
    this.mergeRanks = mergeRanks;
    this.bpe = mergeRanks != null;
    this.maxLength = maxLength;
    this.bosId = special(BOS);
    this.eosId = special(EOS);
    this.padId = pad == null ? eosId : special(pad);
    this.unkId = unk == null ? null : vocab.get(unk);
    if (maxLength < 2) {
      throw new IllegalArgumentException("model_max_length must be at least 2, got " + maxLength);
    }
  }

  private long special(String token) {
    Integer id = vocab.get(token);
    if (id == null) {
      throw new IllegalArgumentException("tokenizer vocabulary has no " + token);
    }
    return id;
  }

  /**
   * Reads a tokenizer folder: {@code vocab.json} + {@code merges.txt}, or {@code tokenizer.json}.
   */
  public static Tokenizer load(Path dir) {
    int maxLength = 77;
    Path config = dir.resolve("tokenizer_config.json");
    if (Files.isRegularFile(config)) {
      JsonElement m = readJson(config).get("model_max_length");
      if (m != null && m.isJsonPrimitive()) {
        maxLength = (int) Math.min(Integer.MAX_VALUE, m.getAsDouble());
      }
    }
    String pad = null;
    Path specials = dir.resolve("special_tokens_map.json");
    if (Files.isRegularFile(specials)) {
      JsonElement p = readJson(specials).get("pad_token");
      if (p != null && !p.isJsonNull()) {
        pad = p.isJsonObject() ? p.getAsJsonObject().get("content").getAsString() : p.getAsString();
      }
    }
    Path vocabFile = dir.resolve("vocab.json");
    Path mergesFile = dir.resolve("merges.txt");
    if (Files.isRegularFile(vocabFile) && Files.isRegularFile(mergesFile)) {
      return new Tokenizer(
          readVocab(readJson(vocabFile), vocabFile), readMerges(mergesFile), maxLength, pad, null);
    }
    Path json = dir.resolve("tokenizer.json");
    if (!Files.isRegularFile(json)) {
      throw new IllegalArgumentException(
          "no tokenizer in " + dir + ": expected vocab.json + merges.txt or tokenizer.json");
    }
    JsonObject model = readJson(json).getAsJsonObject("model");
    if (model == null || !model.has("type") || !model.has("vocab")) {
      throw new IllegalArgumentException(json + ": no model with a type and a vocab");
    }
    String type = model.get("type").getAsString();
    Map<String, Integer> vocab = readVocab(model.getAsJsonObject("vocab"), json);
    switch (type) {
      case "WordLevel":
        JsonElement unk = model.get("unk_token");
        return new Tokenizer(vocab, null, maxLength, pad, unk == null ? null : unk.getAsString());
      case "BPE":
        Map<String, Integer> ranks = new HashMap<>();
        JsonArray merges = model.getAsJsonArray("merges");
        for (int i = 0; i < merges.size(); i++) {
          JsonElement m = merges.get(i);
          String pair =
              m.isJsonArray()
                  ? m.getAsJsonArray().get(0).getAsString()
                      + " "
                      + m.getAsJsonArray().get(1).getAsString()
                  : m.getAsString();
          ranks.put(pair, i);
        }
        return new Tokenizer(vocab, ranks, maxLength, pad, null);
      default:
        throw new IllegalArgumentException(
            json + ": model type " + type + " is not supported (WordLevel, BPE)");
    }
  }

  /**
   * Returns a word-level tokenizer over {@code words} (ids 0, 1, 2 are the start, end and unknown
   * tokens; the words follow in the given order), lower-casing and splitting prompts into runs of
   * word characters and of other non-space characters.
   */
  public static Tokenizer wordLevel(List<String> words, int maxLength) {
    Map<String, Integer> vocab = new LinkedHashMap<>();
    vocab.put(BOS, 0);
    vocab.put(EOS, 1);
    vocab.put(UNK, 2);
    for (String w : words) {
      vocab.putIfAbsent(w.toLowerCase(Locale.ROOT), vocab.size());
    }
    return new Tokenizer(vocab, null, maxLength, null, UNK);
  }

  /**
   * Writes a word-level tokenizer as HuggingFace files: tokenizer.json, tokenizer_config.json,
   * special_tokens_map.json.
   */
  public void save(Path dir) {
    if (bpe) {
      throw new UnsupportedOperationException("saving is implemented for word-level tokenizers");
    }
    Gson gson = new GsonBuilder().setPrettyPrinting().create();
    JsonObject root = new JsonObject();
    root.addProperty("version", "1.0");
    JsonArray added = new JsonArray();
    for (String t : List.of(BOS, EOS, UNK)) {
      JsonObject a = new JsonObject();
      a.addProperty("id", vocab.get(t));
      a.addProperty("content", t);
      a.addProperty("single_word", false);
      a.addProperty("lstrip", false);
      a.addProperty("rstrip", false);
      a.addProperty("normalized", false);
      a.addProperty("special", true);
      added.add(a);
    }
    root.add("added_tokens", added);
    JsonObject normalizer = new JsonObject();
    normalizer.addProperty("type", "Lowercase");
    root.add("normalizer", normalizer);
    JsonObject pre = new JsonObject();
    pre.addProperty("type", "Whitespace");
    root.add("pre_tokenizer", pre);
    JsonObject model = new JsonObject();
    model.addProperty("type", "WordLevel");
    JsonObject v = new JsonObject();
    vocab.forEach(v::addProperty);
    model.add("vocab", v);
    model.addProperty("unk_token", UNK);
    root.add("model", model);
    JsonObject config = new JsonObject();
    config.addProperty("model_max_length", maxLength);
    config.addProperty("bos_token", BOS);
    config.addProperty("eos_token", EOS);
    config.addProperty("pad_token", EOS);
    config.addProperty("unk_token", UNK);
    JsonObject specials = new JsonObject();
    specials.addProperty("bos_token", BOS);
    specials.addProperty("eos_token", EOS);
    specials.addProperty("pad_token", EOS);
    specials.addProperty("unk_token", UNK);
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("tokenizer.json"), gson.toJson(root) + "\n");
      Files.writeString(dir.resolve("tokenizer_config.json"), gson.toJson(config) + "\n");
      Files.writeString(dir.resolve("special_tokens_map.json"), gson.toJson(specials) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write tokenizer to " + dir, e);
    }
  }

  /**
   * Registers a placeholder of {@code vectors} learned embeddings and returns its ids, which follow
   * the vocabulary and earlier placeholders. Registering the same token again with the same count
   * returns the same ids.
   */
  public List<Long> addPlaceholder(String token, int vectors) {
    if (token.isBlank() || token.chars().anyMatch(Character::isWhitespace) || vectors <= 0) {
      throw new IllegalArgumentException(
          "a placeholder is one word with at least one vector: '" + token + "'");
    }
    List<Long> existing = placeholders.get(token);
    if (existing != null) {
      if (existing.size() != vectors) {
        throw new IllegalArgumentException(
            "placeholder "
                + token
                + " already has "
                + existing.size()
                + " vectors, not "
                + vectors);
      }
      return existing;
    }
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < vectors; i++) {
      ids.add((long) (vocab.size() + extraIds++));
    }
    placeholders.put(token, Collections.unmodifiableList(ids));
    return placeholders.get(token);
  }

  /**
   * Removes every placeholder, so the tokenizer is back to its vocabulary (what closing applied
   * concepts does; ids are handed out in order, so only removing all of them keeps them dense).
   */
  public void clearPlaceholders() {
    placeholders.clear();
    extraIds = 0;
  }

  /** Returns the ids of a registered placeholder. */
  public List<Long> placeholderIds(String token) {
    List<Long> ids = placeholders.get(token);
    if (ids == null) {
      throw new IllegalArgumentException(
          "unknown placeholder " + token + "; registered: " + placeholders.keySet());
    }
    return ids;
  }

  /** Returns the start token, the prompt's tokens and the end token, unpadded and untruncated. */
  public long[] encodeUnpadded(String prompt) {
    List<Long> ids = new ArrayList<>();
    ids.add(bosId);
    tokenizeWithPlaceholders(prompt, ids);
    ids.add(eosId);
    return ids.stream().mapToLong(Long::longValue).toArray();
  }

  /**
   * Returns the prompt's ids padded to the model length, truncated so that the end token stays
   * last.
   */
  public long[] encode(String prompt) {
    long[] ids = encodeUnpadded(prompt);
    long[] out = new long[maxLength];
    java.util.Arrays.fill(out, padId);
    int n = Math.min(ids.length, maxLength);
    System.arraycopy(ids, 0, out, 0, n);
    out[n - 1] = eosId;
    return out;
  }

  private void tokenizeWithPlaceholders(String prompt, List<Long> out) {
    int from = 0;
    while (from < prompt.length()) {
      int next = -1;
      String found = null;
      for (String p : placeholders.keySet()) {
        int at = prompt.indexOf(p, from);
        if (at >= 0 && (next < 0 || at < next)) {
          next = at;
          found = p;
        }
      }
      String plain = next < 0 ? prompt.substring(from) : prompt.substring(from, next);
      for (int id : tokenize(plain)) {
        out.add((long) id);
      }
      if (found == null) {
        return;
      }
      out.addAll(placeholders.get(found));
      from = next + found.length();
    }
  }

  private List<Integer> tokenize(String text) {
    String clean = text.replaceAll("\\s+", " ").strip().toLowerCase(Locale.ROOT);
    List<Integer> ids = new ArrayList<>();
    Matcher m = (bpe ? CLIP_PIECES : WORD_PIECES).matcher(clean);
    while (m.find()) {
      String piece = m.group();
      if (bpe) {
        ids.addAll(cache.computeIfAbsent(piece, this::bpeIds));
      } else {
        Integer id = vocab.get(piece);
        if (id == null) {
          if (unkId == null) {
            throw new IllegalArgumentException("word '" + piece + "' is not in the vocabulary");
          }
          id = unkId;
        }
        ids.add(id);
      }
    }
    return ids;
  }

  private List<Integer> bpeIds(String piece) {
    List<String> symbols = new ArrayList<>();
    for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
      symbols.add(String.valueOf(BYTE_TO_CHAR[b & 0xff]));
    }
    int last = symbols.size() - 1;
    symbols.set(last, symbols.get(last) + "</w>");
    while (symbols.size() > 1) {
      int best = -1;
      int bestRank = Integer.MAX_VALUE;
      for (int i = 0; i + 1 < symbols.size(); i++) {
        Integer rank = mergeRanks.get(symbols.get(i) + " " + symbols.get(i + 1));
        if (rank != null && rank < bestRank) {
          bestRank = rank;
          best = i;
        }
      }
      if (best < 0) {
        break;
      }
      String a = symbols.get(best);
      String b = symbols.get(best + 1);
      List<String> merged = new ArrayList<>();
      for (int i = 0; i < symbols.size(); i++) {
        if (i + 1 < symbols.size() && symbols.get(i).equals(a) && symbols.get(i + 1).equals(b)) {
          merged.add(a + b);
          i++;
        } else {
          merged.add(symbols.get(i));
        }
      }
      symbols = merged;
    }
    List<Integer> ids = new ArrayList<>();
    for (String s : symbols) {
      Integer id = vocab.get(s);
      if (id == null) {
        throw new IllegalStateException(
            "BPE symbol '" + s + "' of '" + piece + "' is not in vocab.json");
      }
      ids.add(id);
    }
    return ids;
  }

  /** CLIP's reversible byte-to-character table (printable bytes map to themselves). */
  private static final char[] BYTE_TO_CHAR = byteToChar();

  private static char[] byteToChar() {
    char[] table = new char[256];
    boolean[] direct = new boolean[256];
    for (int b = '!'; b <= '~'; b++) {
      direct[b] = true;
    }
    for (int b = 0xA1; b <= 0xAC; b++) {
      direct[b] = true;
    }
    for (int b = 0xAE; b <= 0xFF; b++) {
      direct[b] = true;
    }
    int n = 0;
    for (int b = 0; b < 256; b++) {
      table[b] = direct[b] ? (char) b : (char) (256 + n++);
    }
    return table;
  }

  /** Returns the padded length of {@link #encode}. */
  public int maxLength() {
    return maxLength;
  }

  /** Returns the number of ids: the vocabulary and every placeholder vector. */
  public int vocabSize() {
    return vocab.size() + extraIds;
  }

  /** Returns the size of the vocabulary without placeholders (the text encoder's table rows). */
  public int baseVocabSize() {
    return vocab.size();
  }

  /** Returns the start token's id. */
  public long bosId() {
    return bosId;
  }

  /** Returns the end token's id. */
  public long eosId() {
    return eosId;
  }

  /** Returns the padding id. */
  public long padId() {
    return padId;
  }

  /** Returns the id of a vocabulary word or token, failing clearly when absent. */
  public long id(String token) {
    Integer id = vocab.get(token);
    if (id == null) {
      throw new IllegalArgumentException("'" + token + "' is not in the tokenizer vocabulary");
    }
    return id;
  }

  private static JsonObject readJson(Path file) {
    try {
      return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("cannot parse " + file + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, Integer> readVocab(JsonObject json, Path file) {
    Map<String, Integer> vocab = new HashMap<>();
    for (Map.Entry<String, JsonElement> e : json.entrySet()) {
      if (!e.getValue().isJsonPrimitive()) {
        throw new IllegalArgumentException(
            file + ": vocabulary entry " + e.getKey() + " is not an id");
      }
      vocab.put(e.getKey(), e.getValue().getAsInt());
    }
    return vocab;
  }

  private static Map<String, Integer> readMerges(Path file) {
    Map<String, Integer> ranks = new HashMap<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (i == 0 && line.startsWith("#version")) {
        continue;
      }
      if (line.isEmpty()) {
        continue;
      }
      String[] pair = line.split(" ");
      if (pair.length != 2) {
        throw new IllegalArgumentException(
            file + " line " + (i + 1) + ": expected two symbols, got '" + line + "'");
      }
      ranks.putIfAbsent(line, ranks.size());
    }
    return ranks;
  }
}
