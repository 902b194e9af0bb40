using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace DailyPapers.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Ingest : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "harvest_runs",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Source = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    SetSpec = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Trigger = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    StartedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    FinishedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Pages = table.Column<int>(type: "integer", nullable: false),
                    Read = table.Column<int>(type: "integer", nullable: false),
                    Inserted = table.Column<int>(type: "integer", nullable: false),
                    Updated = table.Column<int>(type: "integer", nullable: false),
                    Unchanged = table.Column<int>(type: "integer", nullable: false),
                    Deleted = table.Column<int>(type: "integer", nullable: false),
                    Rejected = table.Column<int>(type: "integer", nullable: false),
                    Error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_harvest_runs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "harvest_states",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Source = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    SetSpec = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    LastDatestamp = table.Column<DateOnly>(type: "date", nullable: true),
                    ResumptionToken = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    ListFrom = table.Column<DateOnly>(type: "date", nullable: true),
                    ListUntil = table.Column<DateOnly>(type: "date", nullable: true),
                    ListMaxDatestamp = table.Column<DateOnly>(type: "date", nullable: true),
                    LastRunAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    LastSuccessAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    LastError = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_harvest_states", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "hf_daily_entries",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ArxivId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ListDate = table.Column<DateOnly>(type: "date", nullable: false),
                    Rank = table.Column<int>(type: "integer", nullable: false),
                    Upvotes = table.Column<int>(type: "integer", nullable: false),
                    NumComments = table.Column<int>(type: "integer", nullable: true),
                    GithubRepo = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    GithubStars = table.Column<int>(type: "integer", nullable: true),
                    ProjectPage = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    Organization = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_hf_daily_entries", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_harvest_runs_StartedAt",
                table: "harvest_runs",
                column: "StartedAt");

            migrationBuilder.CreateIndex(
                name: "IX_harvest_states_Source_SetSpec",
                table: "harvest_states",
                columns: new[] { "Source", "SetSpec" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_hf_daily_entries_ArxivId_ListDate",
                table: "hf_daily_entries",
                columns: new[] { "ArxivId", "ListDate" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_hf_daily_entries_ListDate",
                table: "hf_daily_entries",
                column: "ListDate");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "harvest_runs");

            migrationBuilder.DropTable(
                name: "harvest_states");

            migrationBuilder.DropTable(
                name: "hf_daily_entries");
        }
    }
}
