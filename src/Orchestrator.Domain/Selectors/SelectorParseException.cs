namespace Orchestrator.Domain.Selectors;

/// <summary>
/// A label or field selector (string or object form) is malformed. The message says what is wrong
/// and where: a character position in the selector string or a field path in the object form.
/// </summary>
public sealed class SelectorParseException : FormatException
{
    public SelectorParseException()
    {
    }

    public SelectorParseException(string message)
        : base(message)
    {
    }

    public SelectorParseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SelectorParseException(string message, int position)
        : base(message) => Position = position;

    /// <summary>The 0-based character position in the selector string, or -1 when not applicable.</summary>
    public int Position { get; } = -1;
}
