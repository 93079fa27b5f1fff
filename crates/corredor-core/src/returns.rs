//! Assisted voluntary return, reintegration and origin territories (phases IV, V and I of the
//! RCM Regional Strategy).
