//! Corridor forecasting.
