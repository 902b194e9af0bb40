using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;

namespace DailyPapers.Search;

/// <summary>
/// The terms of one text after analysis, kept so that several fields can take them without analysing the text again:
/// a paper's abstract goes into <c>abstract</c> and into <c>text</c> (title and abstract), its title into <c>title</c>
/// and <c>text</c>. Analysis is about a third of indexing a paper, and the abstract is most of the text.
/// </summary>
internal sealed class AnalysedText
{
    private char[] _chars = new char[256];
    private int[] _starts = new int[32], _lengths = new int[32], _increments = new int[32];
    private int _charCount;

    public int Count { get; private set; }

    /// <summary>Positions skipped after the last term (stop words at the end): the next text's first term moves on by them.</summary>
    public int FinalIncrement { get; private set; }

    /// <summary>Characters of the text, so that the next text's offsets follow on as they would in one string.</summary>
    public int FinalOffset { get; private set; }

    public static AnalysedText Of(Analyzer analyzer, string field, string text) => new AnalysedText().Fill(analyzer, field, text);

    /// <summary>Analyses <paramref name="text"/> into this instance, reusing its buffers (one instance per indexing thread).</summary>
    public AnalysedText Fill(Analyzer analyzer, string field, string text)
    {
        Count = _charCount = 0;
        using var stream = analyzer.GetTokenStream(field, text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        var increment = stream.AddAttribute<IPositionIncrementAttribute>();
        var offset = stream.AddAttribute<IOffsetAttribute>();
        stream.Reset();
        while (stream.IncrementToken()) Add(term.Buffer, term.Length, increment.PositionIncrement);
        stream.End();
        FinalIncrement = increment.PositionIncrement;
        FinalOffset = offset.EndOffset;
        return this;
    }

    private void Add(char[] buffer, int length, int increment)
    {
        if (Count == _starts.Length)
        {
            Array.Resize(ref _starts, Count * 2);
            Array.Resize(ref _lengths, Count * 2);
            Array.Resize(ref _increments, Count * 2);
        }
        if (_charCount + length > _chars.Length) Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _charCount + length));
        Array.Copy(buffer, 0, _chars, _charCount, length);
        _starts[Count] = _charCount;
        _lengths[Count] = length;
        _increments[Count] = increment;
        _charCount += length;
        Count++;
    }

    /// <summary>A token stream over the terms of <paramref name="parts"/> one after another, as if their texts were joined by one separator.</summary>
    public static TokenStream Replay(params AnalysedText[] parts) => new ReplayStream().Over(parts);

    /// <summary>
    /// A replaying token stream that can be pointed at other texts and used again. A new token stream per field and
    /// paper costs more than the analysis it saves: each new attribute is looked up in Lucene's attribute factory under
    /// a lock (half of a profiled bulk build, and contended between indexing threads).
    /// </summary>
    public sealed class ReplayStream : TokenStream
    {
        private AnalysedText[] _parts = [];
        private readonly ICharTermAttribute _term;
        private readonly IPositionIncrementAttribute _increment;
        private readonly IOffsetAttribute _offset;
        private int _part, _index, _carry, _base;

        public ReplayStream Over(params AnalysedText[] parts)
        {
            _parts = parts;
            _part = _index = _carry = _base = 0;
            return this;
        }

        public ReplayStream()
        {
            _term = AddAttribute<ICharTermAttribute>();
            _increment = AddAttribute<IPositionIncrementAttribute>();
            _offset = AddAttribute<IOffsetAttribute>();
        }

        public override void Reset()
        {
            base.Reset();
            _part = _index = _carry = _base = 0;
        }

        public override bool IncrementToken()
        {
            while (_part < _parts.Length && _index == _parts[_part].Count)
            {
                // The next text starts after this one's skipped positions and one separator character.
                _carry += _parts[_part].FinalIncrement;
                _base += _parts[_part].FinalOffset + 1;
                _part++;
                _index = 0;
            }
            if (_part == _parts.Length) return false;
            ClearAttributes();
            var p = _parts[_part];
            int i = _index++;
            _term.CopyBuffer(p._chars, p._starts[i], p._lengths[i]);
            _increment.PositionIncrement = p._increments[i] + _carry;
            _carry = 0;
            // Offsets are not indexed; they only have to be consistent (one per term, never going back).
            _offset.SetOffset(_base, _base);
            return true;
        }

        public override void End()
        {
            base.End();
            int final = _carry;
            for (int k = _part; k < _parts.Length; k++) final += _parts[k].FinalIncrement;
            _increment.PositionIncrement = final;
            int end = _base;
            for (int k = _part; k < _parts.Length; k++) end += _parts[k].FinalOffset + (k + 1 < _parts.Length ? 1 : 0);
            _offset.SetOffset(end, end);
        }
    }
}
