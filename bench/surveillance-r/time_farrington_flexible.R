# Times R surveillance::farringtonFlexible on the series written by
#   corredor bench detect --write-series series.csv
# with the settings of the corredor benchmark (Noufaily et al. 2013: noPeriods = 10,
# pastWeeksNotIncluded = 26, nbPlugin), and writes its alarms and bounds so that they can be
# compared with `corredor detect` on the same file.
#
# Usage: Rscript time_farrington_flexible.R series.csv [n_series = 20] [evaluate = 104] [out = r-alarms.csv]
# Needs: apt-get install -y --no-install-recommends r-base-core r-cran-surveillance
suppressPackageStartupMessages(library(surveillance))
args <- commandArgs(trailingOnly = TRUE)
input    <- if (length(args) >= 1) args[1] else "series.csv"
n_series <- if (length(args) >= 2) as.integer(args[2]) else 20L
evaluate <- if (length(args) >= 3) as.integer(args[3]) else 104L
output   <- if (length(args) >= 4) args[4] else "r-alarms.csv"

# Monday of ISO week `week` of ISO year `year`.
iso_monday <- function(year, week) {
  jan4 <- as.Date(sprintf("%d-01-04", year))
  wday <- as.integer(format(jan4, "%u"))        # 1 = Monday .. 7 = Sunday
  jan4 - (wday - 1L) + 7L * (week - 1L)
}

long <- read.csv(input, colClasses = c("character", "character", "numeric"))
ids <- unique(long$series)[seq_len(min(n_series, length(unique(long$series))))]
control <- list(b = 5, w = 3, reweight = TRUE, weightsThreshold = 2.58,
                pastWeeksNotIncluded = 26, noPeriods = 10, populationOffset = FALSE,
                fitFun = "algo.farrington.fitGLM.flexible", thresholdMethod = "nbPlugin",
                alpha = 0.05, trend = TRUE, pThresholdTrend = 0.05, limit54 = c(5, 4),
                glmWarnings = FALSE)
results <- list()
elapsed <- 0
fits <- 0L
for (id in ids) {
  rows <- long[long$series == id, ]
  year <- as.integer(substr(rows$period, 1, 4))
  week <- as.integer(substr(rows$period, 7, 8))
  dates <- iso_monday(year, week)
  ord <- order(dates)
  rows <- rows[ord, ]; dates <- dates[ord]
  n <- nrow(rows)
  s <- sts(observed = matrix(rows$count, ncol = 1), epoch = as.numeric(dates),
           epochAsDate = TRUE, frequency = 52)
  control$range <- (n - evaluate + 1):n
  started <- proc.time()[["elapsed"]]
  res <- farringtonFlexible(s, control = control)
  elapsed <- elapsed + (proc.time()[["elapsed"]] - started)
  fits <- fits + evaluate
  results[[length(results) + 1]] <- data.frame(
    series = id, period = rows$period[control$range],
    alarm = ifelse(as.logical(alarms(res)[, 1]), "true", "false"),
    upperbound = as.numeric(upperbound(res)[, 1]))
}
out <- do.call(rbind, results)
write.csv(out, output, row.names = FALSE, quote = FALSE, na = "")
cat(sprintf("R %s surveillance %s: %d series, %d fits in %.2f s: %.3f ms per fit, %.1f fits/s (one core)\n",
            getRversion(), packageVersion("surveillance"), length(ids), fits, elapsed,
            1000 * elapsed / fits, fits / elapsed))
