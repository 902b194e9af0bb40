using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace DailyPapers.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class IngestHealthAndOpsSamples : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ingest_days",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    SetSpec = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Listed = table.Column<int>(type: "integer", nullable: true),
                    Stored = table.Column<int>(type: "integer", nullable: true),
                    Missing = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    Pages = table.Column<int>(type: "integer", nullable: false),
                    Error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    CheckedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ingest_days", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ops_samples",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    TakenAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Papers = table.Column<long>(type: "bigint", nullable: false),
                    Embedded = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ops_samples", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ingest_days_SetSpec_Day",
                table: "ingest_days",
                columns: new[] { "SetSpec", "Day" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ops_samples_TakenAt",
                table: "ops_samples",
                column: "TakenAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ingest_days");

            migrationBuilder.DropTable(
                name: "ops_samples");
        }
    }
}
