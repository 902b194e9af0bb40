namespace DailyPapers.Web;

/// <summary>What an error page says: a title and a sentence on what went wrong.</summary>
public sealed record ProblemView(int Status, string Title, string Detail)
{
    public static ProblemView BadRequest(string detail) => new(400, "That request is not valid", detail);
    public static ProblemView NotFound(string detail) => new(404, "Not found", detail);
}
