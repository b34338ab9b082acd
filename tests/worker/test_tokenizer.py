"""The tokenizer's cleaning: entities, curly quotes, accents, break tags and quoted words, and its version."""

import ftfy
import pytest

from worker.data import load_dataset
from worker.data import cache as cache_module
from worker.data import tokenizer as tokenizer_module
from worker.data.tokenizer import TOKENIZER_VERSION, clean, encode, tokenize, tokenize_v1, tokenizer_for


def test_curly_apostrophe_reads_as_the_straight_one():
    assert tokenize("I didn’t like it") == tokenize("I didn't like it") == ["i", "didn't", "like", "it"]


def test_curly_double_quotes_are_dropped_like_straight_ones():
    assert tokenize("“Superb” acting") == ["superb", "acting"]


def test_accented_letters_stay_inside_the_word():
    assert tokenize("Amélie was charming; so was Björk’s café scene") == [
        "amélie", "was", "charming", "so", "was", "björk's", "café", "scene"]


def test_decomposed_accents_are_composed_by_nfkc():
    assert tokenize("Ame\u0301lie") == ["amélie"]


def test_compatibility_characters_are_normalised():
    assert tokenize("ﬁne ＧＯＯＤ ½") == ["fine", "good", "1", "2"]


def test_named_entities_are_unescaped_and_leave_no_token():
    assert tokenize("Tom &amp; Jerry &quot;rocks&quot;") == ["tom", "jerry", "rocks"]


def test_numeric_entities_are_unescaped():
    assert tokenize("It&#39;s great, isn&#x27;t it") == ["it's", "great", "isn't", "it"]


@pytest.mark.parametrize("tag", ["<br>", "<br/>", "<br />", "<br / >", "<BR>", "</br>", "< br />", "<Br  /  >"])
def test_every_break_tag_variant_is_removed(tag):
    assert tokenize(f"good{tag}film") == ["good", "film"]


def test_an_escaped_break_tag_is_removed_too():
    assert tokenize("good&lt;br /&gt;film") == ["good", "film"]


def test_quotes_around_a_word_are_stripped():
    assert tokenize("it was 'great' and ‘moving’") == ["it", "was", "great", "and", "moving"]


def test_inner_apostrophes_are_kept_and_trailing_ones_dropped():
    assert tokenize("the actors' rock'n'roll") == ["the", "actors", "rock'n'roll"]


def test_mojibake_is_repaired():
    assert tokenize("AmÃ©lie") == ["amélie"]


def test_underscores_and_punctuation_split_words():
    assert tokenize("so_so... well-made!") == ["so", "so", "well", "made"]


def test_version_1_is_kept_for_old_checkpoints():
    assert tokenize_v1("I didn’t like Amélie<br / >") == ["i", "didn", "t", "like", "am", "lie", "br"]
    assert tokenizer_for(1) is tokenize_v1 and tokenizer_for(TOKENIZER_VERSION) is tokenize


def test_an_unknown_tokenizer_version_is_refused():
    with pytest.raises(ValueError, match="Unknown tokenizer version 99"):
        tokenizer_for(99)


def test_encode_scores_text_with_the_given_version():
    vocab = ["didn't", "didn", "t"]
    assert encode("didn’t", vocab, maxlen=3).tolist() == [0, 1, 3]
    assert encode("didn’t", vocab, maxlen=3, tokenizer_version=1).tolist() == [1, 4, 5]


def test_a_new_tokenizer_version_rebuilds_the_cache(tmp_path, monkeypatch):
    first = load_dataset("synthetic", data_dir=tmp_path, num_words=50, maxlen=10)
    monkeypatch.setattr(cache_module, "TOKENIZER_VERSION", TOKENIZER_VERSION + 1)
    second = load_dataset("synthetic", data_dir=tmp_path, num_words=50, maxlen=10)
    assert first.fingerprint != second.fingerprint
    assert len(list((tmp_path / "cache").iterdir())) == 2


@pytest.mark.parametrize("text", ["Plain ASCII, with 'quotes' and <br /> tags.", "tabs\tand\r\nbreaks\x07!", "a -- b ... c"])
def test_plain_ascii_skips_ftfy_with_the_same_tokens(text):
    through_ftfy = ftfy.fix_text(text, tokenizer_module._FIXES)
    assert clean(text) == text
    assert tokenize(text) == tokenizer_module._WORD.findall(tokenizer_module._BREAK_TAG.sub(" ", through_ftfy).lower())
