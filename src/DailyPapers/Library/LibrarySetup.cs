namespace DailyPapers.Library;

/// <summary>Maps the library's routes (collections, feedback, follows, saved searches) and For you.</summary>
public static class LibrarySetup
{
    public static WebApplication MapLibrary(this WebApplication app)
    {
        app.MapLibraryRoutes();
        return app;
    }
}
