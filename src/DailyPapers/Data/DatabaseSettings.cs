using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DailyPapers.Data;

/// <summary>Where the data lives: a data folder and a database connection (SQLite in the folder unless told otherwise).</summary>
public sealed record DatabaseSettings(string DataDir, string ConnectionString, DatabaseProvider Provider)
{
    public const string DefaultDataDir = "./data";
    public const string SqliteFileName = "dailypapers.db";

    /// <summary>The settings for a data folder (default ./data) and database (default: SQLite in that folder); the configuration's are <c>AppConfiguration.Database</c>.</summary>
    public static DatabaseSettings Resolve(string? dataDir, string? database)
    {
        dataDir = Path.GetFullPath(string.IsNullOrWhiteSpace(dataDir) ? DefaultDataDir : dataDir);

        if (string.IsNullOrWhiteSpace(database))
            return new(dataDir, SqliteConnectionString(Path.Combine(dataDir, SqliteFileName)), DatabaseProvider.Sqlite);
        if (LooksLikePostgres(database))
            return new(dataDir, database, DatabaseProvider.Postgres);
        if (database.Contains('='))
            return new(dataDir, database, DatabaseProvider.Sqlite);
        // A bare path names a SQLite file.
        return new(dataDir, SqliteConnectionString(Path.GetFullPath(database)), DatabaseProvider.Sqlite);
    }

    private static bool LooksLikePostgres(string s)
    {
        if (s.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || s.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException("Give the PostgreSQL connection as key=value pairs, e.g. Host=127.0.0.1;Port=5432;Database=dailypapers;Username=…;Password=…");
        try
        {
            var b = new DbConnectionStringBuilder { ConnectionString = s };
            return b.ContainsKey("Host") || b.ContainsKey("Server") && !b.ContainsKey("Data Source");
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string SqliteConnectionString(string path) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Cache = SqliteCacheMode.Private,
        Pooling = true,
        // Microsoft.Data.Sqlite retries a busy database until the command timeout: concurrent writers wait.
        DefaultTimeout = 30,
    }.ToString();

    public string? SqlitePath => Provider == DatabaseProvider.Sqlite
        ? new SqliteConnectionStringBuilder(ConnectionString).DataSource
        : null;

    public void EnsureDataDir()
    {
        Directory.CreateDirectory(DataDir);
        if (SqlitePath is { } p && Path.GetDirectoryName(Path.GetFullPath(p)) is { } dir) Directory.CreateDirectory(dir);
    }

    public void Configure(DbContextOptionsBuilder options)
    {
        if (Provider == DatabaseProvider.Postgres)
            options.UseNpgsql(ConnectionString, o => o.CommandTimeout(120));
        else
            options.UseSqlite(ConnectionString).AddInterceptors(SqlitePragmas.Instance).ReplaceService<IMigrationsSqlGenerator, SqliteWithoutRowId>();
        options.UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking);
    }

    public void AddTo(IServiceCollection services)
    {
        if (Provider == DatabaseProvider.Postgres)
            services.AddDbContext<AppDbContext, PostgresAppDbContext>(Configure);
        else
            services.AddDbContext<AppDbContext, SqliteAppDbContext>(Configure);
    }

    /// <summary>A context outside dependency injection, for the CLI and benchmarks.</summary>
    public AppDbContext CreateContext()
    {
        if (Provider == DatabaseProvider.Postgres)
        {
            var b = new DbContextOptionsBuilder<PostgresAppDbContext>();
            Configure(b);
            return new PostgresAppDbContext(b.Options);
        }
        var s = new DbContextOptionsBuilder<SqliteAppDbContext>();
        Configure(s);
        return new SqliteAppDbContext(s.Options);
    }

    public DbConnection CreateConnection() => Provider == DatabaseProvider.Postgres
        ? new NpgsqlConnection(ConnectionString)
        : SqlitePragmas.Open(ConnectionString);

    public string Describe() => Provider == DatabaseProvider.Postgres
        ? "PostgreSQL " + new NpgsqlConnectionStringBuilder(ConnectionString) { Password = null }.ConnectionString
        : "SQLite " + SqlitePath;
}

/// <summary>
/// Sets WAL and a busy timeout on every SQLite connection the app opens. Pragmas stay set on the native handle, and
/// pooled connections reuse their handle, so each handle is configured once rather than on every open.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    public static readonly SqlitePragmas Instance = new();
    /// <remarks>8 KB pages (takes effect only when the file is created): fewer B-tree pages and splits for rows with long abstracts (docs/benchmarks.md, snapshot import).</remarks>
    private const string Pragmas = "PRAGMA page_size=8192; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON;";
    private const string ReadOnlyPragmas = "PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON;";
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> Configured = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        // Microsoft.Data.Sqlite runs commands synchronously anyway.
        Apply(connection);
        return Task.CompletedTask;
    }

    private static void Apply(DbConnection connection)
    {
        var handle = (connection as SqliteConnection)?.Handle;
        if (handle is not null && Configured.TryGetValue(handle, out _)) return;
        using (var cmd = connection.CreateCommand())
        {
            // EF checks that the file exists on a read-only connection, where switching a database that is not yet in
            // WAL mode (one made elsewhere) would fail: the next read-write connection switches it.
            cmd.CommandText = new SqliteConnectionStringBuilder(connection.ConnectionString).Mode == SqliteOpenMode.ReadOnly ? ReadOnlyPragmas : Pragmas;
            cmd.ExecuteNonQuery();
        }
        if (handle is not null) Configured.AddOrUpdate(handle, Instance);
    }

    public static SqliteConnection Open(string connectionString)
    {
        var c = new SqliteConnection(connectionString);
        c.Open();
        Apply(c);
        return c;
    }
}

/// <summary>Lets <c>dotnet ef</c> build each provider's context without running the CLI.</summary>
internal sealed class SqliteDesignFactory : IDesignTimeDbContextFactory<SqliteAppDbContext>
{
    public SqliteAppDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite("Data Source=design.db").ReplaceService<IMigrationsSqlGenerator, SqliteWithoutRowId>().Options);
}

internal sealed class PostgresDesignFactory : IDesignTimeDbContextFactory<PostgresAppDbContext>
{
    public PostgresAppDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresAppDbContext>().UseNpgsql("Host=localhost;Database=design").Options);
}
