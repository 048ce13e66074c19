using System.Globalization;

namespace Orchestrator.Domain.Selectors;

/// <summary>
/// The lexer and recursive-descent parser of the label selector string form, following
/// k8s.io/apimachinery/pkg/labels/selector.go (same tokens, same error wording), with the
/// character position added to every error.
/// </summary>
internal sealed class LabelSelectorParser
{
    private enum TokenType
    {
        Identifier,
        DoesNotExist,
        Equals,
        DoubleEquals,
        NotEquals,
        GreaterThan,
        LessThan,
        OpenPar,
        ClosedPar,
        Comma,
        In,
        NotIn,
        EndOfString,
    }

    /// <summary>In KeyAndOperator mode "in"/"notin" are keywords; in Values mode they are identifiers.</summary>
    private enum Mode
    {
        KeyAndOperator,
        Values,
    }

    private readonly record struct Token(TokenType Type, string Literal, int Position);

    private static readonly string[] SpecialTokens = ["!=", "==", "!", "=", ">", "<", "(", ")", ","];
    private const string BinaryOperators = "in, notin, =, ==, !=, gt, lt";

    private readonly string _text;
    private readonly List<Token> _tokens;
    private int _next;

    public LabelSelectorParser(string text)
    {
        _text = text;
        _tokens = Lex(text);
    }

    public List<Requirement> Parse()
    {
        var requirements = new List<Requirement>();
        while (true)
        {
            var token = Lookahead(Mode.Values);
            switch (token.Type)
            {
                case TokenType.Identifier or TokenType.DoesNotExist:
                    requirements.Add(ParseRequirement());
                    var separator = Consume(Mode.Values);
                    switch (separator.Type)
                    {
                        case TokenType.EndOfString:
                            return requirements;
                        case TokenType.Comma:
                            var after = Lookahead(Mode.Values);
                            if (after.Type is not (TokenType.Identifier or TokenType.DoesNotExist))
                                throw Error($"found '{after.Literal}', expected: identifier after ','", after);
                            break;
                        default:
                            throw Error($"found '{separator.Literal}', expected: ',' or 'end of string'", separator);
                    }
                    break;
                case TokenType.EndOfString:
                    return requirements;
                default:
                    throw Error($"found '{token.Literal}', expected: !, identifier, or 'end of string'", token);
            }
        }
    }

    private Requirement ParseRequirement()
    {
        var start = Lookahead(Mode.Values);
        var (key, keyToken, unary) = ParseKeyAndInferOperator();
        SelectorOperator op;
        var values = new List<string>();
        if (unary is { } unaryOperator)
        {
            op = unaryOperator;
        }
        else
        {
            op = ParseOperator();
            if (op is SelectorOperator.In or SelectorOperator.NotIn)
                values = ParseValues();
            else
                values.Add(ParseExactValue());
        }

        try
        {
            return Requirement.Create(key, op, values);
        }
        catch (SelectorParseException e)
        {
            var at = e.Message.StartsWith("key:", StringComparison.Ordinal) ? keyToken : start;
            throw Error(e.Message, at);
        }
    }

    private (string Key, Token KeyToken, SelectorOperator? Unary) ParseKeyAndInferOperator()
    {
        SelectorOperator? op = null;
        var token = Consume(Mode.Values);
        if (token.Type == TokenType.DoesNotExist)
        {
            op = SelectorOperator.DoesNotExist;
            token = Consume(Mode.Values);
        }
        if (token.Type != TokenType.Identifier)
            throw Error($"found '{token.Literal}', expected: identifier", token);

        var next = Lookahead(Mode.Values);
        if (next.Type is TokenType.EndOfString or TokenType.Comma)
            op ??= SelectorOperator.Exists;
        else if (op == SelectorOperator.DoesNotExist)
            throw Error($"found '{next.Literal}', expected: ',' or 'end of string' after '!{token.Literal}'", next);
        return (token.Literal, token, op);
    }

    private SelectorOperator ParseOperator()
    {
        var token = Consume(Mode.KeyAndOperator);
        return token.Type switch
        {
            TokenType.In => SelectorOperator.In,
            TokenType.NotIn => SelectorOperator.NotIn,
            TokenType.Equals or TokenType.DoubleEquals => SelectorOperator.Equals,
            TokenType.NotEquals => SelectorOperator.NotEquals,
            TokenType.GreaterThan => SelectorOperator.GreaterThan,
            TokenType.LessThan => SelectorOperator.LessThan,
            _ => throw Error($"found '{token.Literal}', expected: {BinaryOperators}", token),
        };
    }

    private List<string> ParseValues()
    {
        var open = Consume(Mode.Values);
        if (open.Type != TokenType.OpenPar)
            throw Error($"found '{open.Literal}', expected: '('", open);
        var next = Lookahead(Mode.Values);
        switch (next.Type)
        {
            case TokenType.Identifier or TokenType.Comma:
                var values = ParseIdentifiersList();
                var close = Consume(Mode.Values);
                if (close.Type != TokenType.ClosedPar)
                    throw Error($"found '{close.Literal}', expected: ')'", close);
                return values;
            case TokenType.ClosedPar:
                // "()" is the set holding the empty value.
                Consume(Mode.Values);
                return [""];
            default:
                throw Error($"found '{next.Literal}', expected: ',', ')' or identifier", next);
        }
    }

    private List<string> ParseIdentifiersList()
    {
        var values = new List<string>();
        while (true)
        {
            var token = Consume(Mode.Values);
            switch (token.Type)
            {
                case TokenType.Identifier:
                    values.Add(token.Literal);
                    var after = Lookahead(Mode.Values);
                    switch (after.Type)
                    {
                        case TokenType.Comma:
                            continue;
                        case TokenType.ClosedPar:
                            return values;
                        default:
                            throw Error($"found '{after.Literal}', expected: ',' or ')'", after);
                    }
                case TokenType.Comma:
                    // "(,", ",)" and ",," each stand for the empty value.
                    if (values.Count == 0)
                        values.Add("");
                    var next = Lookahead(Mode.Values);
                    if (next.Type == TokenType.ClosedPar)
                    {
                        values.Add("");
                        return values;
                    }
                    if (next.Type == TokenType.Comma)
                    {
                        Consume(Mode.Values);
                        values.Add("");
                    }
                    break;
                default:
                    throw Error($"found '{token.Literal}', expected: ',', or identifier", token);
            }
        }
    }

    private string ParseExactValue()
    {
        var next = Lookahead(Mode.Values);
        if (next.Type is TokenType.EndOfString or TokenType.Comma)
            return "";
        var token = Consume(Mode.Values);
        if (token.Type == TokenType.Identifier)
            return token.Literal;
        throw Error($"found '{token.Literal}', expected: identifier", token);
    }

    private Token Lookahead(Mode mode) => InMode(_tokens[_next], mode);

    private Token Consume(Mode mode)
    {
        var token = _tokens[_next];
        if (token.Type != TokenType.EndOfString)
            _next++;
        return InMode(token, mode);
    }

    private static Token InMode(Token token, Mode mode)
    {
        if (mode == Mode.KeyAndOperator && token.Type == TokenType.Identifier)
        {
            if (token.Literal == "in")
                return token with { Type = TokenType.In };
            if (token.Literal == "notin")
                return token with { Type = TokenType.NotIn };
        }
        return token;
    }

    private SelectorParseException Error(string message, Token at)
    {
        var prefixed = message.StartsWith("unable to parse requirement: ", StringComparison.Ordinal)
            ? message
            : "unable to parse requirement: " + message;
        return new SelectorParseException(
            $"{prefixed} (at position {at.Position.ToString(CultureInfo.InvariantCulture)} in \"{_text}\")",
            at.Position);
    }

    private static bool IsWhitespace(char c) => c is ' ' or '\t' or '\r' or '\n';

    private static bool IsSpecial(char c) => c is '=' or '!' or '(' or ')' or ',' or '>' or '<';

    private static List<Token> Lex(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && IsWhitespace(text[i]))
                i++;
            if (i >= text.Length)
            {
                tokens.Add(new Token(TokenType.EndOfString, "", text.Length));
                return tokens;
            }
            var start = i;
            if (IsSpecial(text[i]))
            {
                var literal = SpecialTokens.First(t => string.CompareOrdinal(text, i, t, 0, t.Length) == 0);
                i += literal.Length;
                tokens.Add(new Token(literal switch
                {
                    "!=" => TokenType.NotEquals,
                    "==" => TokenType.DoubleEquals,
                    "!" => TokenType.DoesNotExist,
                    "=" => TokenType.Equals,
                    ">" => TokenType.GreaterThan,
                    "<" => TokenType.LessThan,
                    "(" => TokenType.OpenPar,
                    ")" => TokenType.ClosedPar,
                    _ => TokenType.Comma,
                }, literal, start));
                continue;
            }
            while (i < text.Length && !IsWhitespace(text[i]) && !IsSpecial(text[i]))
                i++;
            tokens.Add(new Token(TokenType.Identifier, text[start..i], start));
        }
    }
}
